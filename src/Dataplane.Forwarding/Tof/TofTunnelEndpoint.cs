using System.Runtime.CompilerServices;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// One direction of a learned GTP-U tunnel, as the G-PDUs carry it: outer source, outer destination and TEID
/// (uplink: eNB -> SGW with the SGW's TEID; downlink: SGW -> eNB with the eNB's TEID). The outer addresses are both
/// IPv4 or both IPv6 (S1-U / N3 over either). Immutable, so a worker swaps a whole direction in one reference write
/// and readers never see half of a handover.
/// </summary>
public sealed record TofTunnelEndpoint(IpAddress Source, IpAddress Destination, uint Teid)
{
    // An IPv4 path's two addresses in one word, for the per-packet compare; an IPv6 path never matches an IPv4 one.
    private readonly ulong ipv4Pair = Source.IsV4 && Destination.IsV4 ? Ipv4Pair(Source.AsV4(), Destination.AsV4()) : 0;
    private readonly bool ipv4 = Source.IsV4 && Destination.IsV4;

    /// <summary>Both outer addresses are IPv4.</summary>
    public bool IsIpv4 => ipv4;

    /// <summary>Every IPv4 G-PDU asks: one 64-bit compare and the TEID.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Matches(Ipv4Address source, Ipv4Address destination, uint teid) =>
        Teid == teid && ipv4 && ipv4Pair == Ipv4Pair(source, destination);

    /// <summary>For outer addresses of either family (IPv6 S1-U / N3).</summary>
    public bool Matches(IpAddress source, IpAddress destination, uint teid) => Teid == teid && Source == source && Destination == destination;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Ipv4Pair(Ipv4Address source, Ipv4Address destination) => ((ulong)source.Value << 32) | destination.Value;
}
