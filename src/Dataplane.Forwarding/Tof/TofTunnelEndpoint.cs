using System.Runtime.CompilerServices;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// One direction of a learned GTP-U tunnel, as the G-PDUs carry it: outer source, outer destination and TEID
/// (uplink: eNB -> SGW with the SGW's TEID; downlink: SGW -> eNB with the eNB's TEID). The outer addresses are both
/// IPv4 or both IPv6 (S1-U / N3 over either). Immutable, so a worker swaps a whole direction in one reference write
/// and readers never see half of a handover.
/// </summary>
public sealed record TofTunnelEndpoint
{
    // An IPv4 path's two addresses in one word, for the per-packet compare, on the object's first line; an IPv6
    // path's addresses in an object of their own, so an IPv4 endpoint stays as small as it was.
    private readonly ulong ipv4Pair;
    private readonly bool ipv4;
    private readonly Ipv6Path? ipv6;

    public TofTunnelEndpoint(IpAddress source, IpAddress destination, uint teid)
    {
        Teid = teid;
        if (source.IsV4 && destination.IsV4)
        {
            ipv4 = true;
            ipv4Pair = Ipv4Pair(source.AsV4(), destination.AsV4());
        }
        else
        {
            ipv6 = new Ipv6Path(source, destination);
        }
    }

    public uint Teid { get; }

    public IpAddress Source => ipv6 is { } path ? path.Source : new Ipv4Address((uint)(ipv4Pair >> 32));

    public IpAddress Destination => ipv6 is { } path ? path.Destination : new Ipv4Address((uint)ipv4Pair);

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

    private sealed record Ipv6Path(IpAddress Source, IpAddress Destination);
}
