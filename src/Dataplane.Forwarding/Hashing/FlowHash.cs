using System.Numerics;
using System.Runtime.CompilerServices;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Hashing;

/// <summary>
/// The 5-tuple flow hash that picks a locator (and later feeds ECMP entropy). CRC32C over the tuple, through
/// <see cref="BitOperations.Crc32C(uint, ulong)"/>, which uses the SSE4.2 / ARMv8 CRC instructions when present and
/// a table fallback otherwise, then a murmur3 finaliser, because CRC is linear and its raw low bits (which pick
/// the selection slot) correlate with single-field changes. Deterministic: a fixed seed, no per-process
/// randomisation, so a replayed pcap takes the same paths on every run and every host.
/// Direction-sensitive on purpose: the two directions of a flow are encapsulated by different xTRs anyway.
/// </summary>
public static class FlowHash
{
    /// <summary>First port of the range RFC 9300 section 5.3 suggests for the outer UDP source port (dynamic ports).</summary>
    public const ushort SourcePortBase = 49152;

    private const uint Ipv4Seed = 0x9E37_79B9;

    private const uint Ipv6Seed = 0x85EB_CA6B;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Hash(Ipv4Address source, Ipv4Address destination, byte protocol, ushort sourcePort, ushort destinationPort)
    {
        uint crc = BitOperations.Crc32C(Ipv4Seed, ((ulong)source.Value << 32) | destination.Value);
        crc = BitOperations.Crc32C(crc, Ports(protocol, sourcePort, destinationPort));
        return Mix(crc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Hash(Ipv6Address source, Ipv6Address destination, byte protocol, ushort sourcePort, ushort destinationPort)
    {
        uint crc = BitOperations.Crc32C(Ipv6Seed, source.High);
        crc = BitOperations.Crc32C(crc, source.Low);
        crc = BitOperations.Crc32C(crc, destination.High);
        crc = BitOperations.Crc32C(crc, destination.Low);
        crc = BitOperations.Crc32C(crc, Ports(protocol, sourcePort, destinationPort));
        return Mix(crc);
    }

    /// <summary>Either family; the two addresses must be of the same family (an IP header has one).</summary>
    public static uint Hash(IpAddress source, IpAddress destination, byte protocol, ushort sourcePort, ushort destinationPort) =>
        source.IsV4
            ? Hash(source.AsV4(), destination.AsV4(), protocol, sourcePort, destinationPort)
            : Hash(source.AsV6(), destination.AsV6(), protocol, sourcePort, destinationPort);

    /// <summary>
    /// The outer UDP source port for a flow, in 49152..65535 (14 bits of entropy). It takes the hash's upper bits
    /// so it stays independent of the low bits that choose the locator slot: flows that share an RLOC still spread
    /// over the underlay's ECMP paths.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort SourcePort(uint flowHash) => (ushort)(SourcePortBase | (flowHash >> 18));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Ports(byte protocol, ushort sourcePort, ushort destinationPort) =>
        ((ulong)protocol << 32) | ((uint)sourcePort << 16) | destinationPort;

    /// <summary>murmur3's fmix32 finaliser: every input bit affects every output bit. Other hashes built on CRC32C (the VXLAN source port) finish with it too.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Mix(uint h)
    {
        h ^= h >> 16;
        h *= 0x85EB_CA6B;
        h ^= h >> 13;
        h *= 0xC2B2_AE35;
        h ^= h >> 16;
        return h;
    }
}
