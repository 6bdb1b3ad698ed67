using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;

namespace Dataplane.Forwarding.Routing;

/// <summary>
/// The 50 bytes every UDP tunnel over an IPv4 underlay puts in front of its payload: Ethernet, IPv4 (no options,
/// identification 0), UDP and an 8-byte tunnel header (LISP, VXLAN, VXLAN-GPE, GTP-U without options). Written in
/// nine stores, each field composed in a register, the way VPP copies an adjacency's rewrite string; field by field
/// through header views every field costs a bounds check and a store of its own, which the profile put right after
/// the lookups in every encapsulating stage. Each value is composed as the bytes read little-endian and stored
/// that way on any host (<see cref="Store"/>), so the wire bytes do not depend on the host's byte order.
/// </summary>
public static class UnderlayIpv4Headers
{
    public const int Length = EthernetHeader.Length + 20 + UdpHeader.Length + 8;

    /// <summary>
    /// Writes the headers at <paramref name="start"/> (<see cref="Length"/> bytes the caller owns).
    /// <paramref name="tunnelHeader"/> is the tunnel header's eight bytes as they go on the wire, read as a
    /// little-endian value (see <see cref="TunnelHeader"/>); <paramref name="checksum"/> is the IPv4 header checksum.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(ref byte start, MacAddress destinationMac, MacAddress sourceMac, byte trafficClass, ushort totalLength, ushort flagsAndOffset, byte ttl,
        ushort checksum, uint source, uint destination, ushort sourcePort, ushort destinationPort, ulong tunnelHeader)
    {
        // Ethernet: destination, then source and EtherType 0x0800 (the second store overlaps the first's last two bytes).
        Store(ref start, BinaryPrimitives.ReverseEndianness(destinationMac.Value << 16));
        Store(ref Unsafe.Add(ref start, 6), BinaryPrimitives.ReverseEndianness((sourceMac.Value << 16) | EtherType.Ipv4));

        // IPv4: version/IHL, TOS, total length, identification 0, flags; TTL, protocol, checksum, source; destination.
        ref byte ip = ref Unsafe.Add(ref start, EthernetHeader.Length);
        Store(ref ip, 0x45UL | ((ulong)trafficClass << 8) | ((ulong)BinaryPrimitives.ReverseEndianness(totalLength) << 16)
            | ((ulong)BinaryPrimitives.ReverseEndianness(flagsAndOffset) << 48));
        Store(ref Unsafe.Add(ref ip, 8), ttl | ((ulong)IpProtocol.Udp << 8) | ((ulong)BinaryPrimitives.ReverseEndianness(checksum) << 16)
            | ((ulong)BinaryPrimitives.ReverseEndianness(source) << 32));
        Store(ref Unsafe.Add(ref ip, 16), BinaryPrimitives.ReverseEndianness(destination));

        // UDP: ports, length, checksum 0 (allowed for tunnels over IPv4: RFC 9300 5.3, RFC 7348 5, TS 29.281 4.4.2.0).
        ushort udpLength = (ushort)(totalLength - 20);
        Store(ref Unsafe.Add(ref ip, 20), BinaryPrimitives.ReverseEndianness(sourcePort)
            | ((ulong)BinaryPrimitives.ReverseEndianness(destinationPort) << 16) | ((ulong)BinaryPrimitives.ReverseEndianness(udpLength) << 32));

        Store(ref Unsafe.Add(ref ip, 28), tunnelHeader);
    }

    /// <summary>A value composed as its bytes read little-endian, stored as those bytes (the JIT drops the swap on x86 and Arm).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref byte destination, ulong littleEndian) =>
        Unsafe.WriteUnaligned(ref destination, BitConverter.IsLittleEndian ? littleEndian : BinaryPrimitives.ReverseEndianness(littleEndian));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref byte destination, uint littleEndian) =>
        Unsafe.WriteUnaligned(ref destination, BitConverter.IsLittleEndian ? littleEndian : BinaryPrimitives.ReverseEndianness(littleEndian));

    /// <summary>
    /// Eight tunnel-header bytes for <see cref="Write"/>: <paramref name="first"/> in bytes 0-3 and
    /// <paramref name="second"/> in bytes 4-7, each big-endian as on the wire.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong TunnelHeader(uint first, uint second) =>
        BinaryPrimitives.ReverseEndianness(first) | ((ulong)BinaryPrimitives.ReverseEndianness(second) << 32);
}
