using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;
using Dataplane.Wire.Checksums;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Forwarding.Lisp;

/// <summary>
/// Writes Ethernet / IPv4 / UDP 4341 / LISP in front of a packet's inner IP header, in the headroom, without
/// moving the payload (RFC 9300 section 5). Outer-header rules from RFC 9300 section 5.3: the outer TTL is copied
/// from the inner TTL/hop limit, the DSCP and ECN are copied from the inner header (RFC 6040 normal mode), and the
/// UDP checksum is zero (allowed for LISP over IPv4, RFC 9300 section 5.3 and RFC 6935 for IPv6).
/// The classifier must have set <see cref="PacketDescriptor.L3Offset"/> to the inner IP header.
/// </summary>
public static class LispEncapsulator
{
    public const int OuterIpv4Overhead = EthernetHeader.Length + 20 + UdpHeader.Length + LispDataHeader.Length;

    /// <summary>Encapsulates in place; false (nothing changed) when the inner header is not IPv4/IPv6 or the headroom is too small.</summary>
    public static bool TryEncapsulateOverIpv4(ref PacketDescriptor packet, in LispEncapsulation encapsulation)
    {
        int innerStart = packet.L3Offset - packet.DataOffset;
        if (innerStart < 0 || innerStart >= packet.Length)
        {
            return false;
        }

        var inner = packet.Data[innerStart..];
        byte ttl;
        byte trafficClass;
        switch (inner[0] >> 4)
        {
            case 4 when inner.Length >= 20:
                ttl = inner[8];
                trafficClass = inner[1];
                break;
            case 6 when inner.Length >= 40:
                ttl = inner[7];
                trafficClass = (byte)((BinaryPrimitives.ReadUInt16BigEndian(inner) >> 4) & 0xFF);
                break;
            default:
                return false;
        }

        int innerLength = inner.Length;
        int headroomNeeded = OuterIpv4Overhead - innerStart;
        if (headroomNeeded > packet.Headroom || !packet.TryAdjust(innerStart) || !packet.TryPrepend(OuterIpv4Overhead, out var outer))
        {
            return false;
        }

        EthernetHeader.TryCreateForWrite(outer, out var ethernet);
        ethernet.Destination = encapsulation.DestinationMac;
        ethernet.Source = encapsulation.SourceMac;
        ethernet.EtherType = EtherType.Ipv4;

        var ipBytes = outer[EthernetHeader.Length..];
        Ipv4Header.TryCreateForWrite(ipBytes, out var ip);
        ipBytes[0] = 0x45;
        ipBytes[1] = trafficClass;
        ip.TotalLength = (ushort)(20 + UdpHeader.Length + LispDataHeader.Length + innerLength);
        ip.Identification = 0;
        BinaryPrimitives.WriteUInt16BigEndian(ipBytes[6..], encapsulation.DontFragment ? (ushort)0x4000 : (ushort)0);
        ip.TimeToLive = ttl;
        ip.Protocol = IpProtocol.Udp;
        ip.Source = encapsulation.OuterSource;
        ip.Destination = encapsulation.OuterDestination;
        ip.Checksum = 0;
        ip.Checksum = InternetChecksum.Compute(ipBytes[..20]);

        UdpHeader.TryCreateForWrite(ipBytes[20..], out var udp);
        udp.SourcePort = encapsulation.SourcePort;
        udp.DestinationPort = TunnelPorts.LispData;
        udp.TotalLength = (ushort)(UdpHeader.Length + LispDataHeader.Length + innerLength);
        udp.Checksum = 0;

        LispDataHeader.TryCreateForWrite(ipBytes[(20 + UdpHeader.Length)..], out var lisp);
        lisp.Flags = LispDataHeader.NonceFlag | LispDataHeader.InstanceIdFlag;
        lisp.Nonce = encapsulation.Nonce;
        lisp.InstanceId = encapsulation.InstanceId;
        lisp.LocatorStatusBits = 0;

        packet.L2Offset = (ushort)packet.DataOffset;
        packet.L3Offset = (ushort)(packet.DataOffset + EthernetHeader.Length);
        packet.L4Offset = (ushort)(packet.L3Offset + 20);
        packet.InnerL3Offset = (ushort)(packet.DataOffset + OuterIpv4Overhead);
        return true;
    }
}
