using System.Buffers.Binary;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// The pinger's probe: an ICMP echo request from a UE's address to the PDN address (ICMPv6 from an IPv6 UE's address
/// to an IPv6 PDN address), inside the UE's uplink GTP-U tunnel (outer IPv4 or IPv6 eNB -> SGW, as learned; UDP 2152
/// -> 2152; G-PDU with the uplink TEID and, when the UE's uplink has one, a UL PDU Session Container with its QFI).
/// The SGW forwards it like any uplink packet; the PDN's echo reply comes back in the UE's downlink tunnel, which the
/// TOF then learns. Built on the control thread, so it may allocate.
/// </summary>
public static class TofEchoRequest
{
    /// <summary>The ICMP identifier of every probe ("TF"), so captures tell them apart.</summary>
    public const ushort Identifier = 0x5446;

    private static readonly byte[] Payload = "dataplane-tof-ue"u8.ToArray();

    /// <summary>
    /// The outer IP packet (what <c>InjectionPort.TryInject</c> takes); null when the UE's uplink is not known or the
    /// PDN address is not of the UE's family.
    /// </summary>
    public static byte[]? Build(TofTunnel tunnel, IpAddress pdnAddress, ushort sequence)
    {
        ArgumentNullException.ThrowIfNull(tunnel);
        if (tunnel.Uplink is not { } uplink || pdnAddress.Family != tunnel.UeAddress.Family)
        {
            return null;
        }

        bool innerV6 = pdnAddress.IsV6;
        int innerLength = (innerV6 ? Ipv6Header.Length : Ipv4Header.MinLength) + Icmpv4Header.Length + Payload.Length;
        bool outerV6 = uplink.Source.IsV6;
        int outerLength = outerV6 ? Ipv6Header.Length : Ipv4Header.MinLength;
        int qfi = tunnel.Qfi;
        int gtpLength = qfi == TofTunnel.NoQfi ? GtpUGPduWriter.HeaderLength : GtpUGPduWriter.HeaderLengthWithPduSessionContainer;
        int udpLength = UdpHeader.Length + gtpLength + innerLength;
        var packet = new byte[outerLength + udpLength];

        var udp = packet.AsSpan(outerLength);
        BinaryPrimitives.WriteUInt16BigEndian(udp, TunnelPorts.GtpU);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], TunnelPorts.GtpU);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udpLength);
        var gtp = udp[UdpHeader.Length..];
        if (qfi == TofTunnel.NoQfi)
        {
            GtpUGPduWriter.TryWrite(gtp, uplink.Teid, innerLength, out _);
        }
        else
        {
            GtpUGPduWriter.TryWriteWithPduSessionContainer(gtp, uplink.Teid, innerLength, PduSessionInformationType.Uplink, (byte)qfi, rqi: false, out _);
        }

        var inner = gtp[gtpLength..];
        int icmpLength = Icmpv4Header.Length + Payload.Length; // ICMPv6's echo has the same 8-byte header
        var icmp = inner[(innerLength - icmpLength)..];
        icmp[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[4..], Identifier);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[6..], sequence);
        Payload.CopyTo(icmp[Icmpv4Header.Length..]);
        if (innerV6)
        {
            var source = tunnel.UeIpv6Address;
            var destination = pdnAddress.AsV6();
            WriteIpv6(inner, icmpLength, IpProtocol.Icmpv6, source, destination);
            icmp[0] = Icmpv6Type.EchoRequest;
            BinaryPrimitives.WriteUInt16BigEndian(icmp[2..],
                InternetChecksum.Finish(InternetChecksum.Sum(icmp, InternetChecksum.PseudoHeaderSum(source, destination, IpProtocol.Icmpv6, icmpLength))));
        }
        else
        {
            WriteIpv4(inner, icmpLength, IpProtocol.Icmp, tunnel.UeAddress.AsV4(), pdnAddress.AsV4(), identification: sequence);
            icmp[0] = Icmpv4Type.EchoRequest;
            BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], InternetChecksum.Compute(icmp));
        }

        if (outerV6)
        {
            // Over IPv6 the UDP checksum is required (RFC 8200 section 8.1); a computed 0 is sent as 0xFFFF (RFC 768).
            var source = uplink.Source.AsV6();
            var destination = uplink.Destination.AsV6();
            WriteIpv6(packet, udpLength, IpProtocol.Udp, source, destination);
            ushort checksum = InternetChecksum.Finish(InternetChecksum.Sum(udp, InternetChecksum.PseudoHeaderSum(source, destination, IpProtocol.Udp, udpLength)));
            BinaryPrimitives.WriteUInt16BigEndian(udp[6..], checksum == 0 ? (ushort)0xFFFF : checksum);
        }
        else
        {
            // UDP checksum 0: allowed over IPv4 (RFC 768), as GTP-U peers send it.
            WriteIpv4(packet, udpLength, IpProtocol.Udp, uplink.Source.AsV4(), uplink.Destination.AsV4(), identification: 0);
        }

        return packet;
    }

    private static void WriteIpv4(Span<byte> bytes, int payloadLength, byte protocol, Ipv4Address source, Ipv4Address destination, ushort identification)
    {
        bytes[0] = 0x45;
        bytes[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(bytes[2..], (ushort)(Ipv4Header.MinLength + payloadLength));
        BinaryPrimitives.WriteUInt16BigEndian(bytes[4..], identification);
        BinaryPrimitives.WriteUInt16BigEndian(bytes[6..], 0);
        bytes[8] = GtpU.GtpUEndpointStage.OriginatedTtl;
        bytes[9] = protocol;
        source.Write(bytes[12..]);
        destination.Write(bytes[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(bytes[10..], InternetChecksum.Compute(bytes[..Ipv4Header.MinLength]));
    }

    private static void WriteIpv6(Span<byte> bytes, int payloadLength, byte nextHeader, Ipv6Address source, Ipv6Address destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(bytes, 0x6000_0000); // version 6, traffic class 0, flow label 0
        BinaryPrimitives.WriteUInt16BigEndian(bytes[4..], (ushort)payloadLength);
        bytes[6] = nextHeader;
        bytes[7] = GtpU.GtpUEndpointStage.OriginatedTtl;
        source.Write(bytes[8..]);
        destination.Write(bytes[24..]);
    }
}
