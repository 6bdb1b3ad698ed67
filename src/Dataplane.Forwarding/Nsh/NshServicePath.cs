namespace Dataplane.Forwarding.Nsh;

/// <summary>
/// A service path: its functions in order (the hop at Service Index 255 - i is <c>Hops[i]</c>, RFC 8300 section 2.3),
/// what happens after the last one, and its counters. Immutable but for the counters, which outlive a change of
/// the path's hops (they belong to its SPI).
/// </summary>
public sealed class NshServicePath(uint spi, NshServiceFunction[] hops, bool routeAtEnd, uint instanceId, NshPathCounters counters)
{
    /// <summary>The Service Index a classifier writes: the first hop's.</summary>
    public const byte FirstServiceIndex = 255;

    public uint Spi { get; } = spi;

    public NshServiceFunction[] Hops { get; } = hops;

    /// <summary>True: at the end NSH is removed and the inner packet routed in <see cref="InstanceId"/>; false: dropped.</summary>
    public bool RouteAtEnd { get; } = routeAtEnd;

    public uint InstanceId { get; } = instanceId;

    public NshPathCounters Counters { get; } = counters;
}
