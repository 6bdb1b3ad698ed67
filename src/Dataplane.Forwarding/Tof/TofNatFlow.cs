using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// One offloaded flow: which service address the application's replies must come from again, and which service it
/// counts for (the UE's tunnel is looked up by address, so a handover or removal is seen at once). Immutable: when it
/// was last seen each worker stamps in its own <see cref="TofIdleStamps"/>.
/// </summary>
public sealed class TofNatFlow(TofNatFlowKey key, Ipv4Address serviceIp, TofServiceCounters counters, long learnedAt = 0) : ITofKeyed<TofNatFlowKey>
{
    public TofNatFlowKey Key { get; } = key;

    /// <summary>The address the UE sent to; replies get it back as their source.</summary>
    public Ipv4Address ServiceIp { get; } = serviceIp;

    public TofServiceCounters Counters { get; } = counters;

    /// <summary>Clock ticks (the plane's monotonic clock) when it was learned: its last sight is never earlier.</summary>
    public long LearnedAt { get; } = learnedAt;
}
