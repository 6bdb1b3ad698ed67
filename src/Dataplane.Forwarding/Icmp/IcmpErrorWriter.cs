using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Stages;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;
using Dataplane.Wire.Headers;

namespace Dataplane.Forwarding.Icmp;

/// <summary>
/// Turns a packet into the ICMP error about it, in the same buffer (no allocation, no copy of the quoted bytes, no
/// tailroom needed): the new IP and ICMP headers go in front of the original IP header (over its old Ethernet header,
/// or into the headroom) and the tail is cut so the error stays within the minimum MTU (RFC 1812 section 4.3.2.3: at
/// most 576 bytes for ICMPv4; RFC 4443 section 2.4 (c): at most 1280 for ICMPv6). The frame only ever grows toward
/// the front, so a received frame whose buffer ends where the frame does is fine. The result is a native, pending
/// packet addressed to the original source, for the routing stage to send back like any packet. Whether an error
/// may be sent at all is <see cref="IcmpErrorRules"/>'s question, asked before.
/// </summary>
public static class IcmpErrorWriter
{
    public const int Ipv4ErrorLimit = 576;
    public const int Ipv6ErrorLimit = 1280;
    public const byte ErrorTimeToLive = 64;

    private const int Ipv4Headers = 20 + Icmpv4Header.Length;
    private const int Ipv6Headers = Ipv6Header.Length + Icmpv6Header.Length;

    /// <summary>
    /// ICMPv4 destination unreachable, fragmentation needed (type 3 code 4) with the next-hop MTU (RFC 1191
    /// section 4). The packet's L3Offset must point at the IPv4 header, whose total length has been checked.
    /// </summary>
    public static bool TryWriteFragmentationNeeded(ref PacketDescriptor packet, Ipv4Address source, ushort nextHopMtu) =>
        TryWriteIpv4(ref packet, source, Icmpv4Type.DestinationUnreachable, Icmpv4Type.CodeFragmentationNeeded, nextHopMtu);

    /// <summary>ICMPv4 time exceeded in transit (type 11 code 0, RFC 792; RFC 1812 section 5.3.1).</summary>
    public static bool TryWriteTimeExceeded(ref PacketDescriptor packet, Ipv4Address source) =>
        TryWriteIpv4(ref packet, source, Icmpv4Type.TimeExceeded, Icmpv4Type.CodeTtlExceededInTransit, 0);

    /// <summary>ICMPv4 destination unreachable, net unreachable (type 3 code 0): no route (RFC 1812 section 5.2.7.1).</summary>
    public static bool TryWriteNetUnreachable(ref PacketDescriptor packet, Ipv4Address source) =>
        TryWriteIpv4(ref packet, source, Icmpv4Type.DestinationUnreachable, Icmpv4Type.CodeNetUnreachable, 0);

    /// <summary>ICMPv6 Packet Too Big (type 2, code 0) with the MTU (RFC 4443 section 3.2).</summary>
    public static bool TryWritePacketTooBig(ref PacketDescriptor packet, Ipv6Address source, uint mtu) =>
        TryWriteIpv6(ref packet, source, Icmpv6Type.PacketTooBig, 0, mtu);

    /// <summary>ICMPv6 Time Exceeded, hop limit exceeded in transit (type 3 code 0, RFC 4443 section 3.3).</summary>
    public static bool TryWriteHopLimitExceeded(ref PacketDescriptor packet, Ipv6Address source) =>
        TryWriteIpv6(ref packet, source, Icmpv6Type.TimeExceeded, Icmpv6Type.CodeHopLimitExceeded, 0);

    /// <summary>ICMPv6 Destination Unreachable, no route to destination (type 1 code 0, RFC 4443 section 3.1).</summary>
    public static bool TryWriteNoRoute(ref PacketDescriptor packet, Ipv6Address source) =>
        TryWriteIpv6(ref packet, source, Icmpv6Type.DestinationUnreachable, Icmpv6Type.CodeNoRoute, 0);

    /// <summary>
    /// Any ICMPv4 error that quotes the invoking datagram: <paramref name="restOfHeader"/> is the 32-bit word after the
    /// checksum (zero, or the next-hop MTU in its low 16 bits for fragmentation needed).
    /// </summary>
    public static bool TryWriteIpv4(ref PacketDescriptor packet, Ipv4Address source, byte type, byte code, uint restOfHeader)
    {
        int innerStart = packet.L3Offset - packet.DataOffset;
        if (innerStart < 0 || innerStart + 20 > packet.Length)
        {
            return false;
        }

        var original = packet.Data[innerStart..];
        int originalLength = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(original[2..]), original.Length);
        var originalSource = new Ipv4Address(BinaryPrimitives.ReadUInt32BigEndian(original[12..]));
        int quoted = Math.Min(originalLength, Ipv4ErrorLimit - Ipv4Headers);
        if (!TryMakeRoom(ref packet, innerStart, Ipv4Headers, quoted))
        {
            return false;
        }

        var bytes = packet.Data;
        Ipv4Header.TryCreateForWrite(bytes, out var ip);
        bytes[0] = 0x45;
        bytes[1] = 0;
        ip.TotalLength = (ushort)(Ipv4Headers + quoted);
        ip.Identification = 0;
        BinaryPrimitives.WriteUInt16BigEndian(bytes[6..], 0);
        ip.TimeToLive = ErrorTimeToLive;
        ip.Protocol = IpProtocol.Icmp;
        ip.Source = source;
        ip.Destination = originalSource;
        ip.Checksum = 0;
        ip.Checksum = InternetChecksum.Compute(bytes[..20]);

        var icmpBytes = bytes[20..];
        Icmpv4Header.TryCreateForWrite(icmpBytes, out var icmp);
        icmp.Type = type;
        icmp.Code = code;
        icmp.RestOfHeader = restOfHeader;
        icmp.Checksum = 0;
        icmp.Checksum = InternetChecksum.Compute(icmpBytes);

        Finish(ref packet, PacketKind.NativeIpv4, 20);
        return true;
    }

    /// <summary>Any ICMPv6 error that quotes the invoking packet; <paramref name="restOfHeader"/> as for IPv4 (the MTU for Packet Too Big).</summary>
    public static bool TryWriteIpv6(ref PacketDescriptor packet, Ipv6Address source, byte type, byte code, uint restOfHeader)
    {
        int innerStart = packet.L3Offset - packet.DataOffset;
        if (innerStart < 0 || innerStart + Ipv6Header.Length > packet.Length)
        {
            return false;
        }

        var original = packet.Data[innerStart..];
        int originalLength = Math.Min(Ipv6Header.Length + BinaryPrimitives.ReadUInt16BigEndian(original[4..]), original.Length);
        var originalSource = new Ipv6Address(BinaryPrimitives.ReadUInt128BigEndian(original[8..]));
        int quoted = Math.Min(originalLength, Ipv6ErrorLimit - Ipv6Headers);
        if (!TryMakeRoom(ref packet, innerStart, Ipv6Headers, quoted))
        {
            return false;
        }

        var bytes = packet.Data;
        Ipv6Header.TryCreateForWrite(bytes, out var ip);
        BinaryPrimitives.WriteUInt32BigEndian(bytes, 6u << 28);
        ip.PayloadLength = (ushort)(Icmpv6Header.Length + quoted);
        ip.NextHeader = IpProtocol.Icmpv6;
        ip.HopLimit = ErrorTimeToLive;
        ip.Source = source;
        ip.Destination = originalSource;

        var icmpBytes = bytes[Ipv6Header.Length..];
        Icmpv6Header.TryCreateForWrite(icmpBytes, out var icmp);
        icmp.Type = type;
        icmp.Code = code;
        icmp.RestOfHeader = restOfHeader;
        icmp.Checksum = 0;
        icmp.UpdateChecksum(source, originalSource);

        Finish(ref packet, PacketKind.NativeIpv6, Ipv6Header.Length);
        return true;
    }

    /// <summary>
    /// Makes the frame start exactly <paramref name="headers"/> bytes before the original IP header and end after the
    /// quoted bytes. The end never moves past where the frame ended (the quote is at most the original packet), so no
    /// tailroom is needed; the headers take the old link-layer header's place and, when that is shorter, headroom.
    /// </summary>
    private static bool TryMakeRoom(ref PacketDescriptor packet, int innerStart, int headers, int quoted)
    {
        int extra = innerStart - headers;
        if (extra > 0)
        {
            packet.TryAdjust(extra);
        }
        else if (extra < 0 && !packet.TryPrepend(-extra, out _))
        {
            return false;
        }

        return packet.TrySetLength(headers + quoted);
    }

    private static void Finish(ref PacketDescriptor packet, PacketKind kind, int ipHeaderLength)
    {
        packet.Kind = kind;
        packet.L2Offset = (ushort)packet.DataOffset;
        packet.L3Offset = (ushort)packet.DataOffset;
        packet.L4Offset = (ushort)(packet.DataOffset + ipHeaderLength);
        packet.InnerL3Offset = 0;
        packet.InnerL4Offset = 0;
        packet.Flags = (byte)(packet.Flags & ~(PacketFlags.FromLispTunnel | PacketFlags.Decapsulated));
    }
}
