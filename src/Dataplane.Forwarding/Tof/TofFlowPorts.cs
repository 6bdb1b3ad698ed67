using System.Buffers.Binary;
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
}
