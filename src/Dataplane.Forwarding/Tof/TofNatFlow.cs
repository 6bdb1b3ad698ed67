using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>One offloaded flow: which service address the application's replies must come from again, and which service it counts for (the UE's tunnel is looked up by address, so a handover or removal is seen at once).</summary>
public sealed class TofNatFlow(TofNatFlowKey key, Ipv4Address serviceIp, TofServiceCounters counters) : ITofKeyed<TofNatFlowKey>
{
    private long lastSeen;

    public TofNatFlowKey Key { get; } = key;

    /// <summary>The address the UE sent to; replies get it back as their source.</summary>
    public Ipv4Address ServiceIp { get; } = serviceIp;

    public TofServiceCounters Counters { get; } = counters;

    public long LastSeen
    {
        get => Volatile.Read(ref lastSeen);
        internal set => Volatile.Write(ref lastSeen, value);
    }

    /// <summary>Stamps <see cref="LastSeen"/> when it is older than <paramref name="granularity"/> ticks (see <see cref="TofTunnel.Touch"/>).</summary>
    internal void Touch(long now, long granularity)
    {
        if (now - Volatile.Read(ref lastSeen) >= granularity)
        {
            Volatile.Write(ref lastSeen, now);
        }
    }
}
