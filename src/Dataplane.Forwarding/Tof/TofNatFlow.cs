using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// One offloaded flow: the application instance it was given when it began (it stays there for its life, whatever
/// happens to the service's set of instances later), which service it counts for (the UE's tunnel is looked up by
/// address, so a handover or removal is seen at once), and when it was last seen. It is keyed as the UE sent it (to
/// the service address, <see cref="TofNatFlowKey"/> / <see cref="TofNatFlowKey6"/>), so the uplink finds it before
/// knowing the instance, and the reply finds it from the instance's address through the service that owns it.
/// </summary>
public sealed class TofNatFlow : ITofKeyed<TofNatFlowKey>, ITofKeyed<TofNatFlowKey6>
{
    private long lastSeen;

    /// <summary>An IPv4 flow.</summary>
    public TofNatFlow(TofNatFlowKey key, Ipv4Address application, TofServiceCounters counters, long learnedAt = 0)
        : this(key, key.Service, application, counters, learnedAt)
    {
    }

    /// <summary>
    /// An IPv4 flow whose replies get <paramref name="serviceIp"/> as their source: the key's service address, or
    /// the address the UE sent to when a traffic rule offloaded it to a service (keyed by that service's address).
    /// </summary>
    public TofNatFlow(TofNatFlowKey key, Ipv4Address serviceIp, Ipv4Address application, TofServiceCounters counters, long learnedAt = 0)
    {
        Key = key;
        ServiceIpv4 = serviceIp;
        ApplicationIpv4 = application;
        Counters = counters;
        lastSeen = learnedAt;
    }

    /// <summary>An IPv6 flow.</summary>
    public TofNatFlow(TofNatFlowKey6 key, Ipv6Address application, TofServiceCounters counters, long learnedAt = 0)
    {
        ipv6 = new Ipv6Flow(key, application);
        Counters = counters;
        lastSeen = learnedAt;
    }

    // An IPv6 flow's key and application address, apart: an IPv4 flow stays as small (and its hot fields as close) as it was.
    private readonly Ipv6Flow? ipv6;

    /// <summary>The key of an IPv4 flow (default for an IPv6 one).</summary>
    public TofNatFlowKey Key { get; }

    /// <summary>The key of an IPv6 flow (default for an IPv4 one).</summary>
    public TofNatFlowKey6 Key6 => ipv6?.Key ?? default;

    TofNatFlowKey6 ITofKeyed<TofNatFlowKey6>.Key => ipv6!.Key;

    /// <summary>The address the UE sent to; replies get it back as their source.</summary>
    public IpAddress ServiceIp => ipv6 is { } v6 ? v6.Key.Service : ServiceIpv4;

    /// <summary><see cref="ServiceIp"/> of an IPv4 flow, as the per-packet code compares and writes it.</summary>
    public Ipv4Address ServiceIpv4 { get; }

    /// <summary>The application instance the flow was given: its packets go there, and only its replies are the flow's.</summary>
    public IpAddress ApplicationIp => ipv6 is { } v6 ? v6.Application : ApplicationIpv4;

    /// <summary><see cref="ApplicationIp"/> of an IPv4 flow, as the per-packet code writes and compares it.</summary>
    public Ipv4Address ApplicationIpv4 { get; }

    /// <summary><see cref="ApplicationIp"/> of an IPv6 flow (default for an IPv4 one).</summary>
    public Ipv6Address ApplicationIpv6 => ipv6?.Application ?? default;

    public TofServiceCounters Counters { get; }

    /// <summary>The flow's own packets and bytes, when flow export is configured; null otherwise.</summary>
    public TofFlowTraffic? Traffic { get; init; }

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

    private sealed record Ipv6Flow(TofNatFlowKey6 Key, Ipv6Address Application);
}
