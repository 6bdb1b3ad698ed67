using System.Buffers.Binary;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Wire.LispControl;

/// <summary>
/// The Encapsulated Control Message header (ECM, type 8, RFC 9301 section 5.8) and the inner IP and UDP headers
/// around the control message it carries (a Map-Request on its way to a Map-Resolver, say):
/// <code>
/// |Type=8 |S|D|R|N|                  Reserved                     |
/// |                    IPv4 or IPv6 header (inner)                |
/// |               UDP header, destination port 4342               |
/// |                     LISP control message                      |
/// </code>
/// S: LISP-SEC; D: DDT-originated. The two bits after them are R (to-RTR) and N (NAT traversal) of the LISP NAT
/// traversal design (RFC 9301 calls them E and M); Wireshark 4.0 decodes only S and D. The NAT-traversal draft
/// (from version 4) and Open Overlay Router carry their own R and N bits in the second octet instead
/// (<see cref="RtrProcess"/>, <see cref="RtrRelayed"/>): that is where an xTR behind a NAT marks the Map-Register it
/// sends through an RTR, and where the RTR marks the one it relays to the map-server.
/// </summary>
public sealed record EncapsulatedControlHeader(bool Security, bool DdtOriginated, bool ToRtr, bool NatTraversal)
{
    public const int Length = 4;
    public const byte SecurityFlag = 0x08;
    public const byte DdtOriginatedFlag = 0x04;
    public const byte ToRtrFlag = 0x02;
    public const byte NatTraversalFlag = 0x01;
    public const byte DefaultInnerTtl = 64;
    private const int Ipv4HeaderLength = 20;
    private const int Ipv6HeaderLength = 40;
    private const int UdpHeaderLength = 8;
    private const byte UdpProtocol = 17;

    /// <summary>Second octet: R, the encapsulated message is for an RTR to process (NAT-traversal draft, Open Overlay Router).</summary>
    public const byte RtrProcessFlag = 0x40;

    /// <summary>Second octet: N, an RTR relays the encapsulated Map-Register to a map-server (NAT-traversal draft, Open Overlay Router).</summary>
    public const byte RtrRelayedFlag = 0x20;

    public static EncapsulatedControlHeader Plain { get; } = new(false, false, false, false);

    /// <summary>The R bit of the second octet (<see cref="RtrProcessFlag"/>).</summary>
    public bool RtrProcess { get; init; }

    /// <summary>The N bit of the second octet (<see cref="RtrRelayedFlag"/>).</summary>
    public bool RtrRelayed { get; init; }

    /// <summary>Writes the 4-byte ECM header; the inner IP header starts right after it.</summary>
    public int Write(Span<byte> destination)
    {
        LispWriter.EnsureRoom(destination, Length, "ECM header");
        destination[0] = (byte)(((int)LispMessageType.EncapsulatedControl << 4) | (Security ? SecurityFlag : 0)
            | (DdtOriginated ? DdtOriginatedFlag : 0) | (ToRtr ? ToRtrFlag : 0) | (NatTraversal ? NatTraversalFlag : 0));
        destination[1] = (byte)((RtrProcess ? RtrProcessFlag : 0) | (RtrRelayed ? RtrRelayedFlag : 0));
        destination[2..Length].Clear();
        return Length;
    }

    /// <summary>Reads the 4-byte ECM header of the UDP payload; the inner IP header starts at <paramref name="innerIpOffset"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> lispPayload, out EncapsulatedControlHeader? header, out int innerIpOffset, out string error)
    {
        header = null;
        innerIpOffset = 0;
        if (lispPayload.Length < Length)
        {
            error = $"ECM: header needs {Length} bytes, {lispPayload.Length} left";
            return false;
        }

        int type = lispPayload[0] >> 4;
        if (type != (int)LispMessageType.EncapsulatedControl)
        {
            error = $"ECM: type {type} is not 8";
            return false;
        }

        byte flags = lispPayload[0];
        header = new EncapsulatedControlHeader((flags & SecurityFlag) != 0, (flags & DdtOriginatedFlag) != 0,
            (flags & ToRtrFlag) != 0, (flags & NatTraversalFlag) != 0)
        {
            RtrProcess = (lispPayload[1] & RtrProcessFlag) != 0,
            RtrRelayed = (lispPayload[1] & RtrRelayedFlag) != 0,
        };
        innerIpOffset = Length;
        error = "";
        return true;
    }

    /// <summary>Bytes of ECM header + inner IP header (v4 or v6, after the source's family) + UDP + message.</summary>
    public static int EncapsulatedSize(LispAddress innerSource, int messageLength) =>
        Length + (innerSource.IsIpv6 ? UdpPacketWriter.Ipv6Size(messageLength) : UdpPacketWriter.Ipv4Size(messageLength));

    /// <summary>
    /// Writes this header, an inner IPv4 or IPv6 header from <paramref name="innerSource"/> to
    /// <paramref name="innerDestination"/> (same family, no instance id: these are addresses on the wire), a UDP
    /// header with its checksum (mandatory for IPv6, RFC 8200 section 8.1) and the message.
    /// </summary>
    public int WriteEncapsulated(Span<byte> destination, LispAddress innerSource, LispAddress innerDestination,
        ushort innerSourcePort, ReadOnlySpan<byte> innerMessage, ushort innerDestinationPort = TunnelPorts.LispControl,
        byte ttl = DefaultInnerTtl)
    {
        if (innerSource.Afi != innerDestination.Afi || innerSource.IsNone)
        {
            throw new ArgumentException($"the inner source and destination must both be IPv4 or both IPv6 ({innerSource.Afi}, {innerDestination.Afi})");
        }

        int size = EncapsulatedSize(innerSource, innerMessage.Length);
        LispWriter.EnsureRoom(destination, size, "ECM");
        Write(destination);
        var inner = destination[Length..size];
        if (innerSource.IsIpv4)
        {
            UdpPacketWriter.WriteIpv4(inner, innerSource.AsIpv4(), innerDestination.AsIpv4(), innerSourcePort, innerDestinationPort, innerMessage, ttl);
        }
        else
        {
            UdpPacketWriter.WriteIpv6(inner, innerSource.AsIpv6(), innerDestination.AsIpv6(), innerSourcePort, innerDestinationPort, innerMessage, ttl);
        }

        return size;
    }

    /// <summary>
    /// Reads the ECM header, the inner IPv4/IPv6 header (no IPv6 extension headers) and the UDP header, and says where
    /// the inner control message lies in <paramref name="lispPayload"/>. The inner UDP destination port must be 4342.
    /// </summary>
    public static bool TryParseEncapsulated(ReadOnlySpan<byte> lispPayload, out EncapsulatedControlMessage? message, out string error)
    {
        message = null;
        if (!TryParse(lispPayload, out var header, out int offset, out error))
        {
            return false;
        }

        var ip = lispPayload[offset..];
        if (ip.Length < 1)
        {
            error = "ECM: inner IP header needs 1 byte, 0 left";
            return false;
        }

        LispAddress source;
        LispAddress destination;
        int ipHeaderLength;
        int udpSpace;
        int version = ip[0] >> 4;
        if (version == 4)
        {
            ipHeaderLength = (ip[0] & 0x0F) * 4;
            if (ipHeaderLength < Ipv4HeaderLength)
            {
                error = $"ECM: inner IPv4 header length {ipHeaderLength} is shorter than 20";
                return false;
            }

            if (ip.Length < ipHeaderLength)
            {
                error = $"ECM: inner IPv4 header needs {ipHeaderLength} bytes, {ip.Length} left";
                return false;
            }

            int totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
            if (totalLength < ipHeaderLength || totalLength > ip.Length)
            {
                error = $"ECM: inner IPv4 total length {totalLength} does not fit (header {ipHeaderLength}, {ip.Length} bytes left)";
                return false;
            }

            if (ip[9] != UdpProtocol)
            {
                error = $"ECM: inner IPv4 protocol {ip[9]} is not UDP";
                return false;
            }

            source = LispAddress.Ipv4(new Addresses.Ipv4Address(BinaryPrimitives.ReadUInt32BigEndian(ip[12..])));
            destination = LispAddress.Ipv4(new Addresses.Ipv4Address(BinaryPrimitives.ReadUInt32BigEndian(ip[16..])));
            udpSpace = totalLength - ipHeaderLength;
        }
        else if (version == 6)
        {
            ipHeaderLength = Ipv6HeaderLength;
            if (ip.Length < Ipv6HeaderLength)
            {
                error = $"ECM: inner IPv6 header needs 40 bytes, {ip.Length} left";
                return false;
            }

            int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
            if (payloadLength > ip.Length - Ipv6HeaderLength)
            {
                error = $"ECM: inner IPv6 payload length {payloadLength} runs past the end ({ip.Length - Ipv6HeaderLength} left)";
                return false;
            }

            if (ip[6] != UdpProtocol)
            {
                error = $"ECM: inner IPv6 next header {ip[6]} is not UDP";
                return false;
            }

            source = LispAddress.Ipv6(new Addresses.Ipv6Address(BinaryPrimitives.ReadUInt128BigEndian(ip[8..])));
            destination = LispAddress.Ipv6(new Addresses.Ipv6Address(BinaryPrimitives.ReadUInt128BigEndian(ip[24..])));
            udpSpace = payloadLength;
        }
        else
        {
            error = $"ECM: inner IP version {version} is neither 4 nor 6";
            return false;
        }

        if (udpSpace < UdpHeaderLength)
        {
            error = $"ECM: inner UDP header needs 8 bytes, {udpSpace} left";
            return false;
        }

        var udp = ip.Slice(ipHeaderLength, udpSpace);
        int udpLength = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
        if (udpLength < UdpHeaderLength || udpLength > udpSpace)
        {
            error = $"ECM: inner UDP length {udpLength} does not fit ({udpSpace} bytes of IP payload)";
            return false;
        }

        ushort destinationPort = BinaryPrimitives.ReadUInt16BigEndian(udp[2..]);
        if (destinationPort != TunnelPorts.LispControl)
        {
            error = $"ECM: inner UDP destination port {destinationPort} is not {TunnelPorts.LispControl}";
            return false;
        }

        message = new EncapsulatedControlMessage(header!, source, destination, BinaryPrimitives.ReadUInt16BigEndian(udp),
            destinationPort, offset + ipHeaderLength + UdpHeaderLength, udpLength - UdpHeaderLength);
        return true;
    }
}
