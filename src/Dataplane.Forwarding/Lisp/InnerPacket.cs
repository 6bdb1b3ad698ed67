using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Stages;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;

namespace Dataplane.Forwarding.Lisp;

/// <summary>
/// What the ITR needs from the packet it is about to encapsulate: addresses, the 5-tuple for the flow hash (ports 0
/// when the protocol is not TCP/UDP or the packet is a non-first fragment), TTL, DF and length.
/// </summary>
internal readonly struct InnerPacket
{
    public IpAddress Source { get; init; }

    public IpAddress Destination { get; init; }

    public byte Protocol { get; init; }

    public ushort SourcePort { get; init; }

    public ushort DestinationPort { get; init; }

    public byte TimeToLive { get; init; }

    public bool DontFragment { get; init; }

    /// <summary>The IP packet length by its own header (without any Ethernet padding).</summary>
    public int Length { get; init; }

    /// <summary>The packet is itself an ICMP / ICMPv6 error message (never answered with another error).</summary>
    public bool IsIcmpError { get; init; }

    public bool IsV4 => Source.IsV4;

    public static bool TryRead(ref PacketDescriptor packet, out InnerPacket inner)
    {
        inner = default;
        int l3 = packet.L3Offset - packet.DataOffset;
        if (l3 < 0 || l3 >= packet.Length)
        {
            return false;
        }

        var bytes = packet.Data[l3..];
        if (packet.Kind == PacketKind.NativeIpv4)
        {
            if (!Ipv4Header.TryCreate(bytes, out var ip))
            {
                return false;
            }

            byte protocol = ip.Protocol;
            var l4 = ip.FragmentOffset == 0 ? ip.Payload : default;
            ReadPorts(protocol, l4, out ushort sourcePort, out ushort destinationPort);
            inner = new InnerPacket
            {
                Source = ip.Source,
                Destination = ip.Destination,
                Protocol = protocol,
                SourcePort = sourcePort,
                DestinationPort = destinationPort,
                TimeToLive = ip.TimeToLive,
                DontFragment = ip.DontFragment,
                Length = ip.TotalLength,
                IsIcmpError = protocol == IpProtocol.Icmp && l4.Length > 0 && Icmpv4Type.IsError(l4[0]),
            };
            return true;
        }

        if (!Ipv6Header.TryCreate(bytes, out var ip6))
        {
            return false;
        }

        byte upper = ip6.NextHeader;
        Span<byte> upperBytes = default;
        if (ip6.TryWalkExtensions(out var chain))
        {
            upper = chain.UpperLayerProtocol;
            int end = Ipv6Header.Length + ip6.PayloadLength;
            if (chain.IsUpperLayerHeaderPresent && chain.UpperLayerOffset <= end && end <= bytes.Length)
            {
                upperBytes = bytes[chain.UpperLayerOffset..end];
            }
        }

        ReadPorts(upper, upperBytes, out ushort sport, out ushort dport);
        inner = new InnerPacket
        {
            Source = ip6.Source,
            Destination = ip6.Destination,
            Protocol = upper,
            SourcePort = sport,
            DestinationPort = dport,
            TimeToLive = ip6.HopLimit,
            DontFragment = true,
            Length = Ipv6Header.Length + ip6.PayloadLength,
            IsIcmpError = upper == IpProtocol.Icmpv6 && upperBytes.Length > 0 && Icmpv6Type.IsError(upperBytes[0]),
        };
        return true;
    }

    internal static void ReadPorts(byte protocol, ReadOnlySpan<byte> l4, out ushort sourcePort, out ushort destinationPort)
    {
        if (protocol is IpProtocol.Tcp or IpProtocol.Udp && l4.Length >= 4)
        {
            sourcePort = BinaryPrimitives.ReadUInt16BigEndian(l4);
            destinationPort = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
        }
        else
        {
            sourcePort = 0;
            destinationPort = 0;
        }
    }
}
