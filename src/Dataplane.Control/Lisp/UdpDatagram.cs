using Dataplane.Forwarding.Buffers;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;

namespace Dataplane.Control.Lisp;

/// <summary>
/// A UDP datagram as the control plane sees it: addresses, ports and payload, read out of a punted frame or written
/// as a bare IPv4/IPv6 packet for the injection port (or as the inner packet of an Encapsulated Control Message).
/// </summary>
public readonly record struct UdpDatagram(IpAddress Source, IpAddress Destination, ushort SourcePort, ushort DestinationPort, byte[] Payload)
{
    /// <summary>When the port received it, nanoseconds since the Unix epoch (AF_PACKET gives the kernel's time); 0 when unknown.</summary>
    public long ReceivedAtUnixNanoseconds { get; init; }

    /// <summary>Reads the IP and UDP headers at the descriptor's L3 offset; false for anything else or anything malformed.</summary>
    public static bool TryRead(in PacketDescriptor packet, out UdpDatagram datagram)
    {
        datagram = default;
        int l3 = packet.L3Offset - packet.DataOffset;
        if (l3 < 0 || l3 >= packet.Length)
        {
            return false;
        }

        return TryReadIp(packet.Data[l3..], out datagram);
    }

    /// <summary>The source and destination of the IPv4 / IPv6 packet in <paramref name="packet"/>.</summary>
    public static bool TryReadAddresses(in PacketDescriptor packet, out IpAddress source, out IpAddress destination)
    {
        source = default;
        destination = default;
        int l3 = packet.L3Offset - packet.DataOffset;
        if (l3 < 0 || l3 >= packet.Length)
        {
            return false;
        }

        var ip = packet.Data[l3..];
        if (ip[0] >> 4 == 4 && Ipv4Header.TryCreate(ip, out var ipv4))
        {
            source = ipv4.Source;
            destination = ipv4.Destination;
            return true;
        }

        if (ip[0] >> 4 == 6 && Ipv6Header.TryCreate(ip, out var ipv6))
        {
            source = ipv6.Source;
            destination = ipv6.Destination;
            return true;
        }

        return false;
    }

    /// <summary>Reads an IPv4 or IPv6 packet carrying UDP (no IPv6 extension headers: control traffic carries none).</summary>
    public static bool TryReadIp(Span<byte> ip, out UdpDatagram datagram)
    {
        datagram = default;
        if (ip.IsEmpty)
        {
            return false;
        }

        IpAddress source, destination;
        Span<byte> udpBytes;
        if (ip[0] >> 4 == 4)
        {
            if (!Ipv4Header.TryCreate(ip, out var ipv4) || ipv4.Protocol != IpProtocol.Udp || ipv4.IsFragment)
            {
                return false;
            }

            source = ipv4.Source;
            destination = ipv4.Destination;
            udpBytes = ipv4.Payload;
        }
        else if (ip[0] >> 4 == 6)
        {
            if (!Ipv6Header.TryCreate(ip, out var ipv6) || ipv6.NextHeader != IpProtocol.Udp)
            {
                return false;
            }

            source = ipv6.Source;
            destination = ipv6.Destination;
            udpBytes = ipv6.Payload;
        }
        else
        {
            return false;
        }

        if (!UdpHeader.TryCreate(udpBytes, out var udp))
        {
            return false;
        }

        datagram = new UdpDatagram(source, destination, udp.SourcePort, udp.DestinationPort, udp.Payload.ToArray());
        return true;
    }

    /// <summary>Length of the IP packet <see cref="WriteIp"/> writes.</summary>
    public int IpLength => Source.IsV4 ? UdpPacketWriter.Ipv4Size(Payload.Length) : UdpPacketWriter.Ipv6Size(Payload.Length);

    /// <summary>The IP packet (IPv4 or IPv6 by the source address), UDP checksum computed (mandatory over IPv6).</summary>
    public byte[] ToIpPacket()
    {
        var bytes = new byte[IpLength];
        WriteIp(bytes);
        return bytes;
    }

    public int WriteIp(Span<byte> destination)
    {
        if (Source.Family != Destination.Family)
        {
            throw new InvalidOperationException($"source {Source} and destination {Destination} are of different families");
        }

        return Source.IsV4
            ? UdpPacketWriter.WriteIpv4(destination, Source.AsV4(), Destination.AsV4(), SourcePort, DestinationPort, Payload)
            : UdpPacketWriter.WriteIpv6(destination, Source.AsV6(), Destination.AsV6(), SourcePort, DestinationPort, Payload);
    }
}
