using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;

namespace Dataplane.Forwarding.Neighbours;

/// <summary>
/// Resolves a next hop the neighbour table does not know: the packet that found no neighbour is turned, in its own
/// buffer, into an ARP request (RFC 826) or a Neighbor Solicitation to the solicited-node group (RFC 4861 7.2.2) for
/// the next hop, sent from the egress port's address (what VPP's "glean" does: no buffer to allocate, no queue to
/// hold). The reply is punted by the neighbour-discovery stage and learned by the control thread. The original
/// packet is lost, as in any router without a pending queue; later packets to the same next hop go through once the
/// reply is in. Requests are rate-limited per next hop and worker, so a burst toward an
/// unresolved next hop sends one request and drops the rest as NoNeighbour.
/// </summary>
public sealed class NeighbourSolicitor(IMonotonicClock clock)
{
    private const int Slots = 64;
    private readonly IpAddress[] recent = new IpAddress[Slots];
    private readonly long[] sentAt = new long[Slots];
    private readonly long interval = Math.Max(1, clock.Frequency / 4); // 4 requests a second per next hop at most
    private static readonly MacAddress Broadcast = new(0xFFFF_FFFF_FFFFUL);

    /// <summary>
    /// Rewrites <paramref name="packet"/> into a request for <paramref name="nextHop"/> on <paramref name="port"/> and marks it
    /// for transmission; false (packet untouched) when rate-limited, when the port has no address of that family to
    /// ask from, or when the buffer is too small.
    /// </summary>
    public bool TrySolicit(ref PacketDescriptor packet, IpAddress nextHop, PortInfo port)
    {
        if (!TryFindSource(port, nextHop.IsV4, out var source) || !Allowed(nextHop))
        {
            return false;
        }

        return nextHop.IsV4 ? TryWriteArpRequest(ref packet, nextHop.AsV4(), source.AsV4(), port) : TryWriteSolicitation(ref packet, nextHop.AsV6(), source.AsV6(), port);
    }

    private bool Allowed(IpAddress nextHop)
    {
        int slot = (int)((uint)nextHop.GetHashCode() % Slots);
        long now = clock.Now;
        if (recent[slot] == nextHop && now - sentAt[slot] < interval)
        {
            return false;
        }

        recent[slot] = nextHop;
        sentAt[slot] = now;
        return true;
    }

    private static bool TryWriteArpRequest(ref PacketDescriptor packet, Ipv4Address target, Ipv4Address source, PortInfo port)
    {
        const int FrameLength = EthernetHeader.Length + ArpHeader.Length;
        if (!Restart(ref packet, FrameLength))
        {
            return false;
        }

        var frame = packet.Data;
        EthernetHeader.TryCreateForWrite(frame, out var ethernet);
        ethernet.Destination = Broadcast;
        ethernet.Source = port.Mac;
        ethernet.EtherType = EtherType.Arp;
        ArpHeader.TryCreateForWrite(frame[EthernetHeader.Length..], out var arp);
        arp.HardwareType = 1;
        arp.ProtocolType = EtherType.Ipv4;
        arp.HardwareLength = MacAddress.Size;
        arp.ProtocolLength = Ipv4Address.Size;
        arp.Operation = ArpOperation.Request;
        arp.SenderHardwareAddress = port.Mac;
        arp.SenderProtocolAddress = source;
        arp.TargetHardwareAddress = default;
        arp.TargetProtocolAddress = target;
        packet.Kind = PacketKind.Arp;
        packet.L3Offset = (ushort)(packet.DataOffset + EthernetHeader.Length);
        packet.Transmit(port.Id);
        return true;
    }

    private static bool TryWriteSolicitation(ref PacketDescriptor packet, Ipv6Address target, Ipv6Address source, PortInfo port)
    {
        const int IcmpLength = 32; // header 4, reserved 4, target 16, source link-layer address option 8
        const int FrameLength = EthernetHeader.Length + Ipv6Header.Length + IcmpLength;
        if (!Restart(ref packet, FrameLength))
        {
            return false;
        }

        // Solicited-node multicast group ff02::1:ffXX:XXXX and its MAC 33:33:ff:XX:XX:XX (RFC 4291 2.7.1, RFC 2464 7).
        uint low24 = (uint)target.Value & 0xFF_FFFF;
        var group = new Ipv6Address((UInt128.One << 32 | 0xFF00_0000u | low24) | ((UInt128)0xFF02 << 112));
        var frame = packet.Data;
        EthernetHeader.TryCreateForWrite(frame, out var ethernet);
        ethernet.Destination = new MacAddress(0x3333_FF00_0000UL | low24);
        ethernet.Source = port.Mac;
        ethernet.EtherType = EtherType.Ipv6;
        var ipBytes = frame[EthernetHeader.Length..];
        ipBytes[..Ipv6Header.Length].Clear();
        ipBytes[0] = 0x60;
        Ipv6Header.TryCreateForWrite(ipBytes, out var ip);
        ip.PayloadLength = IcmpLength;
        ip.NextHeader = IpProtocol.Icmpv6;
        ip.HopLimit = 255;
        ip.Source = source;
        ip.Destination = group;
        var icmp = ipBytes.Slice(Ipv6Header.Length, IcmpLength);
        icmp.Clear();
        icmp[0] = Icmpv6Type.NeighborSolicitation;
        BinaryPrimitives.WriteUInt128BigEndian(icmp[8..], target.Value);
        icmp[24] = 1; // source link-layer address option
        icmp[25] = 1;
        port.Mac.Write(icmp[26..32]);
        Icmpv6Header.TryCreate(icmp, out var header);
        header.UpdateChecksum(source, group);
        packet.Kind = PacketKind.NeighborDiscovery;
        packet.L3Offset = (ushort)(packet.DataOffset + EthernetHeader.Length);
        packet.L4Offset = (ushort)(packet.L3Offset + Ipv6Header.Length);
        packet.Transmit(port.Id);
        return true;
    }

    /// <summary>
    /// Makes the frame exactly <paramref name="length"/> bytes, all of them about to be rewritten. A short frame grows
    /// into its tailroom, or, when its buffer ends where the frame does (a received frame often has no tailroom),
    /// toward the front into its headroom.
    /// </summary>
    private static bool Restart(ref PacketDescriptor packet, int length)
    {
        int missing = length - packet.Length - packet.Tailroom;
        if (missing > 0 && !packet.TryPrepend(missing, out _))
        {
            return false;
        }

        return packet.TrySetLength(length);
    }

    private static bool TryFindSource(PortInfo port, bool v4, out IpAddress source)
    {
        var addresses = port.Addresses;
        for (int i = 0; i < addresses.Count; i++)
        {
            if (addresses[i].IsV4 == v4)
            {
                source = addresses[i];
                return true;
            }
        }

        source = default;
        return false;
    }
}
