using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Stages;
using Dataplane.Wire.Headers;

namespace Dataplane.Forwarding.Icmp;

/// <summary>
/// Whether a packet may be answered with an ICMP error at all (RFC 1812 section 4.3.2.7, RFC 1122 section 3.2.2,
/// RFC 4443 section 2.4 (e)). Never about: an ICMP error (any ICMPv4 type that is not a query, any ICMPv6 type below
/// 128), a fragment other than the first, a packet whose link-layer destination was broadcast or multicast, a packet
/// to a broadcast or multicast address, a packet whose source does not name one host (unspecified, loopback,
/// broadcast, multicast, IPv4 class E). So an error never answers an error, never multiplies over a group, and never
/// goes to an address that would reach many hosts or none.
/// </summary>
public static class IcmpErrorRules
{
    /// <summary>
    /// True when an error about <paramref name="packet"/> (a native IPv4 / IPv6 packet whose L3Offset is valid) may be
    /// sent. <paramref name="toMulticastAllowed"/> is RFC 4443 section 2.4 (e)'s exception: a Packet Too Big may
    /// answer a packet sent to an IPv6 multicast group.
    /// </summary>
    public static bool MayReport(ref PacketDescriptor packet, bool toMulticastAllowed = false)
    {
        int l3 = packet.L3Offset - packet.DataOffset;
        if (l3 < 0 || l3 >= packet.Length || LinkLayerGroupDestination(ref packet, l3))
        {
            return false;
        }

        var ip = packet.Data[l3..];
        return packet.Kind == PacketKind.NativeIpv4 ? MayReportIpv4(ip) : MayReportIpv6(ip, toMulticastAllowed);
    }

    private static bool MayReportIpv4(Span<byte> bytes)
    {
        if (!Ipv4Header.TryCreate(bytes, out var ip) || ip.FragmentOffset != 0)
        {
            return false;
        }

        uint source = ip.Source.Value;
        uint destination = ip.Destination.Value;
        if (!NamesOneHost(source) || destination == uint.MaxValue || (destination >> 28) == 0xE)
        {
            return false;
        }

        if (ip.Protocol == IpProtocol.Icmp)
        {
            var payload = ip.Payload;
            return payload.Length > 0 && Icmpv4Type.IsQuery(payload[0]);
        }

        return true;
    }

    /// <summary>0.0.0.0/8, loopback 127/8, multicast 224/4, class E 240/4 and the broadcast address name no single host.</summary>
    private static bool NamesOneHost(uint address) =>
        (address >> 24) is not (0 or 127) && (address >> 28) < 0xE;

    private static bool MayReportIpv6(Span<byte> bytes, bool toMulticastAllowed)
    {
        if (!Ipv6Header.TryCreate(bytes, out var ip))
        {
            return false;
        }

        var source = ip.Source.Value;
        var destination = ip.Destination.Value;
        if (source == UInt128.Zero || source == UInt128.One || (source >> 120) == 0xFF)
        {
            return false; // unspecified, loopback, multicast
        }

        if ((destination >> 120) == 0xFF && !toMulticastAllowed)
        {
            return false;
        }

        if (!ip.TryWalkExtensions(out var chain))
        {
            return false; // an extension chain we cannot follow: no telling whether it is an error or a later fragment
        }

        if (chain.HasFragmentHeader && chain.FragmentOffset != 0)
        {
            return false;
        }

        if (chain.UpperLayerProtocol == IpProtocol.Icmpv6)
        {
            int type = chain.UpperLayerOffset < bytes.Length ? bytes[chain.UpperLayerOffset] : -1;
            return type >= 0 && !Icmpv6Type.IsError((byte)type);
        }

        return true;
    }

    /// <summary>The frame still has its Ethernet header in front of the IP header and it was sent to a group (I/G bit set).</summary>
    private static bool LinkLayerGroupDestination(ref PacketDescriptor packet, int l3)
    {
        if ((packet.Flags & PacketFlags.Decapsulated) != 0 || packet.Format != FrameFormat.Ethernet)
        {
            return false;
        }

        int l2 = packet.L2Offset - packet.DataOffset;
        return l2 >= 0 && l2 + EthernetHeader.Length <= l3 && (packet.Data[l2] & 0x01) != 0;
    }
}
