using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// One offloaded flow: which service address the application's replies must come from again, and which service it
/// counts for (the UE's tunnel is looked up by address, so a handover or removal is seen at once), and when it was
/// last seen.
/// </summary>
public sealed class TofNatFlow(TofNatFlowKey key, Ipv4Address serviceIp, TofServiceCounters counters, long learnedAt = 0) : ITofKeyed<TofNatFlowKey>
{
    private long lastSeen = learnedAt;

    public TofNatFlowKey Key { get; } = key;

    /// <summary>The address the UE sent to; replies get it back as their source.</summary>
    public Ipv4Address ServiceIp { get; } = serviceIp;

    public TofServiceCounters Counters { get; } = counters;

    /// <summary>Clock ticks (the plane's monotonic clock) of the flow's last packet, to within the stamping granularity.</summary>
    public long LastSeen => Volatile.Read(ref lastSeen);

    /// <summary>
    /// Stamps <see cref="LastSeen"/> when it is older than <paramref name="granularity"/> ticks. One stamp serves all
    /// workers: a flow has no line per worker (flows are many), and idle ages are counted in seconds, so a store at
    /// most every granularity keeps the line it sits on, which every packet of the flow reads, from moving between
    /// the cores that carry the flow.
    /// </summary>
    internal void Touch(long now, long granularity)
    {
        if (now - Volatile.Read(ref lastSeen) >= granularity)
        {
            Volatile.Write(ref lastSeen, now);
        }
    }
}
