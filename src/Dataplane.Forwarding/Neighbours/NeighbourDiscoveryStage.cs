using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;

namespace Dataplane.Forwarding.Neighbours;

/// <summary>
/// Answers ARP (RFC 826) and IPv6 Neighbor Solicitations (RFC 4861 section 7.2.4) for the addresses of the port
/// they arrive on, on ports the kernel does not own (DPDK, or AF_PACKET on an interface without addresses), so
/// peers can reach our RLOC / VTEP / tunnel addresses with no static configuration. The reply is built in place in
/// the request's buffer and sent back out of the ingress port. ARP replies and Neighbor Advertisements are punted:
/// the control thread learns the sender's MAC into the neighbour table (<see cref="NeighbourLearning"/>).
/// Anything else of these kinds is left pending: a VTEP bridges it on an access port; otherwise it ends as NoHandler.
/// </summary>
public sealed class NeighbourDiscoveryStage(ForwardingPlane plane) : IBatchStage
{
    private const int NeighborMessageLength = 24; // ICMPv6 header, reserved/flags, target address
    private const int AdvertisementLength = NeighborMessageLength + 8; // plus a target link-layer address option
    private static readonly Ipv6Address AllNodes = Ipv6Address.Parse("ff02::1");

    public string Name => "neighbour-discovery";

    public PacketKinds Accepts => PacketKinds.Arp | PacketKinds.NeighborDiscovery;

    public void Run(Span<PacketDescriptor> packets, ReadOnlySpan<ushort> vector, WorkerCounters counters)
    {
        var ports = plane.Ports;
        foreach (ushort i in vector)
        {
            ref var packet = ref packets[i];
            var kind = packet.Kind;
            if (!ports.TryGet(packet.IngressPort, out var port))
            {
                continue;
            }

            var reason = kind == PacketKind.Arp ? HandleArp(ref packet, port, plane.Neighbours, plane.Options.Clock.Now, counters) : HandleNeighborDiscovery(ref packet, port, counters);
            if (reason != DropReason.None)
            {
                packet.Drop(reason, counters);
            }
        }
    }

    private static DropReason HandleArp(ref PacketDescriptor packet, PortInfo port, NeighbourTable neighbours, long now, WorkerCounters counters)
    {
        var frame = packet.Data;
        int l3 = packet.L3Offset - packet.DataOffset;
        if (l3 < EthernetHeader.Length || !ArpHeader.TryCreate(frame[l3..], out var arp) || arp.HardwareType != 1 || arp.ProtocolType != EtherType.Ipv4
            || !Owns(port, arp.TargetProtocolAddress))
        {
            return DropReason.None; // not about our addresses: left for a bridge (VTEP access port) or dropped as NoHandler
        }

        if (arp.Operation == ArpOperation.Reply)
        {
            packet.Punt();
            counters.Count(ForwardingEvent.NeighbourReplyPunted);
            return DropReason.None;
        }

        if (arp.Operation != ArpOperation.Request)
        {
            return DropReason.MalformedArp;
        }

        // The request becomes the reply: sender <- us, target <- the asker (RFC 826 "swap").
        var askerMac = arp.SenderHardwareAddress;
        var askerIp = arp.SenderProtocolAddress;
        Learn(neighbours, askerIp, askerMac, port.Id, now);
        var ourIp = arp.TargetProtocolAddress;
        arp.Operation = ArpOperation.Reply;
        arp.TargetHardwareAddress = askerMac;
        arp.TargetProtocolAddress = askerIp;
        arp.SenderHardwareAddress = port.Mac;
        arp.SenderProtocolAddress = ourIp;
        EthernetHeader.TryCreateForWrite(frame, out var ethernet);
        ethernet.Destination = askerMac;
        ethernet.Source = port.Mac;
        packet.Transmit(port.Id);
        counters.Count(ForwardingEvent.ArpReplied);
        return DropReason.None;
    }

    private static DropReason HandleNeighborDiscovery(ref PacketDescriptor packet, PortInfo port, WorkerCounters counters)
    {
        int l3 = packet.L3Offset - packet.DataOffset;
        int l4 = packet.L4Offset - packet.DataOffset;
        var frame = packet.Data;
        if (l3 < EthernetHeader.Length || l4 <= l3 || !Ipv6Header.TryCreate(frame[l3..], out var ip))
        {
            return DropReason.None; // the classifier checked these; left alone if not
        }

        int icmpLength = l3 + Ipv6Header.Length + ip.PayloadLength - l4;
        bool advertisement = frame[l4] == Icmpv6Type.NeighborAdvertisement;
        var target = icmpLength >= NeighborMessageLength ? new Ipv6Address(BinaryPrimitives.ReadUInt128BigEndian(frame[(l4 + 8)..])) : default;

        // An advertisement answering our solicitation is addressed to us (its target is the neighbour's own
        // address); a solicitation asks for our address as its target. Anything else is somebody else's.
        if (advertisement ? !Owns(port, ip.Destination) : icmpLength < NeighborMessageLength || !Owns(port, target))
        {
            return DropReason.None; // left for a bridge (VTEP access port) or dropped as NoHandler
        }

        // RFC 4861 7.1.1 / 7.1.2: hop limit 255 (never forwarded by a router), code 0, at least the fixed part.
        if (ip.HopLimit != 255 || icmpLength < NeighborMessageLength || frame[l4 + 1] != 0)
        {
            return DropReason.MalformedNeighbourDiscovery;
        }

        if (advertisement)
        {
            packet.Punt();
            counters.Count(ForwardingEvent.NeighbourReplyPunted);
            return DropReason.None;
        }

        var asker = ip.Source;
        EthernetHeader.TryCreate(frame, out var request);
        var askerMac = request.Source;
        if (!TryMakeRoomForAdvertisement(ref packet, l4))
        {
            return DropReason.NoHeadroom;
        }

        frame = packet.Data;
        bool unspecifiedSource = asker.Value == UInt128.Zero; // duplicate address detection: answer to all-nodes (7.2.4)
        var destination = unspecifiedSource ? AllNodes : asker;

        // Neighbor Advertisement, solicited (unless DAD) and override, with our MAC as target link-layer address.
        var icmp = frame.Slice(l4, AdvertisementLength);
        icmp[0] = Icmpv6Type.NeighborAdvertisement;
        icmp[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(icmp[4..], unspecifiedSource ? 0x2000_0000u : 0x6000_0000u);
        BinaryPrimitives.WriteUInt128BigEndian(icmp[8..], target.Value);
        icmp[24] = 2; // option: target link-layer address
        icmp[25] = 1; // length in units of 8 bytes
        port.Mac.Write(icmp[26..32]);

        // For write: the solicitation's payload length may have been longer than the advertisement now in the frame
        // (a lying length that still covered the fixed part), so the checked view would refuse the shortened frame.
        Ipv6Header.TryCreateForWrite(frame[l3..], out ip);
        ip.PayloadLength = (ushort)(l4 - l3 - Ipv6Header.Length + AdvertisementLength);
        ip.Source = target;
        ip.Destination = destination;
        ip.HopLimit = 255;
        Icmpv6Header.TryCreate(icmp, out var header);
        header.Checksum = 0;
        header.UpdateChecksum(target, destination);

        EthernetHeader.TryCreateForWrite(frame, out var ethernet);
        ethernet.Destination = unspecifiedSource ? new MacAddress(0x3333_0000_0001UL) : askerMac;
        ethernet.Source = port.Mac;
        packet.Transmit(port.Id);
        counters.Count(ForwardingEvent.NeighbourAdvertised);
        return DropReason.None;
    }

    /// <summary>
    /// Makes the frame end right after an advertisement at <paramref name="l4"/>. The advertisement (with its target
    /// link-layer address option) is 8 bytes longer than a solicitation without options, and a received frame often
    /// has no tailroom, so when the buffer ends too soon the headers in front of the ICMPv6 message move toward the
    /// front by what is missing (only headers are moved: the message itself is rewritten whole).
    /// </summary>
    private static bool TryMakeRoomForAdvertisement(ref PacketDescriptor packet, int l4)
    {
        int length = l4 + AdvertisementLength;
        int missing = length - packet.Length - packet.Tailroom;
        if (missing > 0)
        {
            if (!packet.TryPrepend(missing, out _))
            {
                return false;
            }

            var frame = packet.Data;
            frame.Slice(missing, l4).CopyTo(frame); // overlapping: Span.CopyTo moves as memmove does
            packet.L2Offset = (ushort)(packet.L2Offset - missing);
            packet.L3Offset = (ushort)(packet.L3Offset - missing);
            packet.L4Offset = (ushort)(packet.L4Offset - missing);
        }

        return packet.TrySetLength(length);
    }

    /// <summary>
    /// RFC 826's merge rule: whoever asks for our address is a neighbour we will answer, so its MAC goes into the
    /// table at once (the first reply toward it needs no request of our own), and a known one is confirmed. Published
    /// only when the entry is new or changed, which is rare; steady-state requests cost a lookup and a time stamp.
    /// </summary>
    private static void Learn(NeighbourTable neighbours, Ipv4Address address, MacAddress mac, ushort port, long now)
    {
        if (address.Value != 0) // 0.0.0.0: an ARP probe (RFC 5227), nobody to learn
        {
            neighbours.Learn(address, new Neighbour(mac, port), now);
        }
    }

    private static bool Owns(PortInfo port, IpAddress address)
    {
        var owned = port.Addresses;
        for (int i = 0; i < owned.Count; i++) // indexed: a foreach over the interface would allocate an enumerator
        {
            if (owned[i] == address)
            {
                return true;
            }
        }

        return false;
    }
}
