using System.Buffers.Binary;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// The pinger's probe: an ICMP echo request from a UE's address to the PDN address, inside the UE's uplink
/// GTP-U tunnel (outer IPv4 eNB -> SGW, UDP 2152 -> 2152, G-PDU with the uplink TEID and, when the UE's uplink has
/// one, a UL PDU Session Container with its QFI). The SGW forwards it like any uplink packet; the PDN's echo reply
/// comes back in the UE's downlink tunnel, which the TOF then learns. Built on the control thread, so it may allocate.
/// </summary>
public static class TofEchoRequest
{
    /// <summary>The ICMP identifier of every probe ("TF"), so captures tell them apart.</summary>
    public const ushort Identifier = 0x5446;

    private const int InnerLength = Ipv4Header.MinLength + Icmpv4Header.Length + 16;
    private static readonly byte[] Payload = "dataplane-tof-ue"u8.ToArray();

    /// <summary>The outer IP packet (what <c>InjectionPort.TryInject</c> takes); null when the UE's uplink is not known.</summary>
    public static byte[]? Build(TofTunnel tunnel, Ipv4Address pdnAddress, ushort sequence)
    {
        ArgumentNullException.ThrowIfNull(tunnel);
        if (tunnel.Uplink is not { } uplink)
        {
            return null;
        }

        int qfi = tunnel.Qfi;
        int gtpLength = qfi == TofTunnel.NoQfi ? GtpUGPduWriter.HeaderLength : GtpUGPduWriter.HeaderLengthWithPduSessionContainer;
        int udpLength = UdpHeader.Length + gtpLength + InnerLength;
        var packet = new byte[Ipv4Header.MinLength + udpLength];
        WriteIpv4(packet, udpLength, IpProtocol.Udp, uplink.Source, uplink.Destination, identification: 0);

        var udp = packet.AsSpan(Ipv4Header.MinLength);
        BinaryPrimitives.WriteUInt16BigEndian(udp, TunnelPorts.GtpU);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], TunnelPorts.GtpU);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udpLength);
        // UDP checksum 0: allowed over IPv4 (RFC 768), as GTP-U peers send it.

        var gtp = udp[UdpHeader.Length..];
        if (qfi == TofTunnel.NoQfi)
        {
            GtpUGPduWriter.TryWrite(gtp, uplink.Teid, InnerLength, out _);
        }
        else
        {
            GtpUGPduWriter.TryWriteWithPduSessionContainer(gtp, uplink.Teid, InnerLength, PduSessionInformationType.Uplink, (byte)qfi, rqi: false, out _);
        }

        var inner = gtp[gtpLength..];
        WriteIpv4(inner, Icmpv4Header.Length + Payload.Length, IpProtocol.Icmp, tunnel.UeAddress, pdnAddress, identification: sequence);
        var icmp = inner[Ipv4Header.MinLength..];
        icmp[0] = Icmpv4Type.EchoRequest;
        icmp[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[4..], Identifier);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[6..], sequence);
        Payload.CopyTo(icmp[Icmpv4Header.Length..]);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], InternetChecksum.Compute(icmp));
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
}
