using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;

namespace Dataplane.Forwarding.Neighbours;

/// <summary>
/// The control thread's side of neighbour discovery: an ARP reply or a Neighbor Advertisement that the
/// <see cref="NeighbourDiscoveryStage"/> punted teaches the table the sender's MAC on the port it came in on. Only
/// replies to our own addresses reach here (the stage checked), and only the sender of a reply is learned, never an
/// address someone merely claims in a request. Runs off the hot path: the table update is copy-on-write.
/// </summary>
public static class NeighbourLearning
{
    /// <summary>Learns from a punted packet; false when it is not an ARP reply or NA with a usable address.</summary>
    public static bool TryLearn(in PacketDescriptor packet, NeighbourTable neighbours, long now)
    {
        var frame = packet.Data;
        int l3 = packet.L3Offset - packet.DataOffset;
        if (l3 < 0 || l3 >= frame.Length)
        {
            return false;
        }

        if (packet.Kind == PacketKind.Arp)
        {
            if (!ArpHeader.TryCreate(frame[l3..], out var arp) || arp.Operation != ArpOperation.Reply)
            {
                return false;
            }

            neighbours.Learn(new IpAddress(arp.SenderProtocolAddress), new Neighbour(arp.SenderHardwareAddress, packet.IngressPort), now);
            return true;
        }

        int l4 = packet.L4Offset - packet.DataOffset;
        if (packet.Kind != PacketKind.NeighborDiscovery || l4 <= 0 || frame.Length < l4 + 24 || frame[l4] != Icmpv6Type.NeighborAdvertisement)
        {
            return false;
        }

        var target = new Ipv6Address(BinaryPrimitives.ReadUInt128BigEndian(frame[(l4 + 8)..]));
        var mac = TargetLinkLayerAddress(frame[(l4 + 24)..]) ?? (EthernetHeader.TryCreate(frame, out var ethernet) ? ethernet.Source : default);
        if (mac.Value == 0)
        {
            return false;
        }

        neighbours.Learn(new IpAddress(target), new Neighbour(mac, packet.IngressPort), now);
        return true;
    }

    /// <summary>The target link-layer address option (type 2, RFC 4861 4.6.1) among the NA's options, if present.</summary>
    private static MacAddress? TargetLinkLayerAddress(ReadOnlySpan<byte> options)
    {
        while (options.Length >= 8)
        {
            int length = options[1] * 8;
            if (length == 0 || length > options.Length)
            {
                return null;
            }

            if (options[0] == 2 && length >= 8)
            {
                return MacAddress.Read(options[2..8]);
            }

            options = options[length..];
        }

        return null;
    }
}
