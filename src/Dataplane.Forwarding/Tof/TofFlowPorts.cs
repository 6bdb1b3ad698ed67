using System.Buffers.Binary;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;
using Dataplane.Wire.Headers;

namespace Dataplane.Forwarding.Tof;

/// <summary>Reads the ports a NAT flow is keyed by, and patches the transport checksum after an address rewrite (RFC 1624).</summary>
internal static class TofFlowPorts
{
    /// <summary>
    /// Source and destination port of a UDP or TCP segment, or the identifier (as both) of an ICMP echo request or
    /// reply (<paramref name="echoType"/>). False for other protocols, ICMP types, or a truncated header.
    /// </summary>
    public static bool TryRead(byte protocol, Span<byte> transport, byte echoType, out ushort source, out ushort destination)
    {
        source = 0;
        destination = 0;
        switch (protocol)
        {
            case IpProtocol.Udp:
            case IpProtocol.Tcp:
                if (transport.Length < (protocol == IpProtocol.Udp ? UdpHeader.Length : TcpHeader.MinLength))
                {
                    return false;
                }

                source = BinaryPrimitives.ReadUInt16BigEndian(transport);
                destination = BinaryPrimitives.ReadUInt16BigEndian(transport[2..]);
                return true;
            case IpProtocol.Icmp:
                if (transport.Length < Icmpv4Header.Length || transport[0] != echoType)
                {
                    return false;
                }

                source = destination = BinaryPrimitives.ReadUInt16BigEndian(transport[4..]);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// RFC 1624 update of the UDP / TCP checksum for an IPv4 address (part of the pseudo-header) that changed. ICMP
    /// has no pseudo-header, so nothing changes. A UDP checksum of 0 means "none" (RFC 768) and stays 0; a computed 0
    /// is sent as 0xFFFF.
    /// </summary>
    public static void UpdateChecksum(byte protocol, Span<byte> transport, uint oldAddress, uint newAddress)
    {
        int offset;
        if (protocol == IpProtocol.Udp)
        {
            offset = 6;
            ushort current = BinaryPrimitives.ReadUInt16BigEndian(transport[offset..]);
            if (current == 0)
            {
                return;
            }

            ushort updated = Wire.Checksums.InternetChecksum.Update(current, oldAddress, newAddress);
            BinaryPrimitives.WriteUInt16BigEndian(transport[offset..], updated == 0 ? (ushort)0xFFFF : updated);
        }
        else if (protocol == IpProtocol.Tcp)
        {
            offset = 16;
            ushort current = BinaryPrimitives.ReadUInt16BigEndian(transport[offset..]);
            BinaryPrimitives.WriteUInt16BigEndian(transport[offset..], Wire.Checksums.InternetChecksum.Update(current, oldAddress, newAddress));
        }
    }

    /// <summary>
    /// <see cref="TryRead"/> for an IPv6 packet's upper layer: UDP, TCP, or ICMPv6 echo (<paramref name="echoType"/>,
    /// 128 or 129). A UDP datagram with checksum 0 is refused: RFC 8200 section 8.1 forbids it over IPv6, and a NAT
    /// could not mend it without reading the whole payload.
    /// </summary>
    public static bool TryRead6(byte protocol, Span<byte> transport, byte echoType, out ushort source, out ushort destination)
    {
        source = 0;
        destination = 0;
        switch (protocol)
        {
            case IpProtocol.Udp:
                if (transport.Length < UdpHeader.Length || BinaryPrimitives.ReadUInt16BigEndian(transport[6..]) == 0)
                {
                    return false;
                }

                break;
            case IpProtocol.Tcp:
                if (transport.Length < TcpHeader.MinLength)
                {
                    return false;
                }

                break;
            case IpProtocol.Icmpv6:
                if (transport.Length < Icmpv6Header.Length || transport[0] != echoType)
                {
                    return false;
                }

                source = destination = BinaryPrimitives.ReadUInt16BigEndian(transport[4..]);
                return true;
            default:
                return false;
        }

        source = BinaryPrimitives.ReadUInt16BigEndian(transport);
        destination = BinaryPrimitives.ReadUInt16BigEndian(transport[2..]);
        return true;
    }

    /// <summary>
    /// RFC 1624 update of the UDP, TCP or ICMPv6 checksum (all three cover the IPv6 pseudo-header, RFC 8200 section
    /// 8.1) for an address that changed, a 32-bit word at a time. A computed UDP 0 is sent as 0xFFFF.
    /// </summary>
    public static void UpdateChecksum6(byte protocol, Span<byte> transport, Ipv6Address oldAddress, Ipv6Address newAddress)
    {
        int offset = protocol switch
        {
            IpProtocol.Udp => 6,
            IpProtocol.Tcp => 16,
            IpProtocol.Icmpv6 => 2,
            _ => -1,
        };
        if (offset < 0)
        {
            return;
        }

        ushort checksum = BinaryPrimitives.ReadUInt16BigEndian(transport[offset..]);
        UInt128 from = oldAddress.Value;
        UInt128 to = newAddress.Value;
        for (int shift = 96; shift >= 0; shift -= 32)
        {
            checksum = InternetChecksum.Update(checksum, (uint)(from >> shift), (uint)(to >> shift));
        }

        BinaryPrimitives.WriteUInt16BigEndian(transport[offset..], protocol == IpProtocol.Udp && checksum == 0 ? (ushort)0xFFFF : checksum);
    }
}
