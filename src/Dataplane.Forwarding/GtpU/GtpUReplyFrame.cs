using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Wire.Headers;

namespace Dataplane.Forwarding.GtpU;

/// <summary>
/// Turns a received GTP-U packet into the signalling message we send back to its sender (Echo Response, Error
/// Indication, Supported Extension Headers Notification), in the packet's own buffer: the request's IP and UDP
/// headers stay, with addresses swapped, and the GTP-U message after them is replaced.
/// </summary>
/// <remarks>
/// A reply can be longer than what it answers (an Echo Response is 2 octets longer than a 12-octet Echo Request), and
/// a received frame often ends where its buffer ends: an AF_PACKET ring slot or a DPDK mbuf is sized to the frame, so
/// there is no room after an unpadded 54-octet IPv4 (or 74-octet IPv6) Echo Request. The frame then grows at the front
/// instead, into the headroom every buffer keeps: the IP and UDP headers move forward by the shortfall and the
/// message ends where the buffer does. Offsets into the frame (<c>l3</c>, <c>l4</c>) stay what they were.
/// </remarks>
internal static class GtpUReplyFrame
{
    /// <summary>
    /// Makes the frame end right after a GTP-U message of <paramref name="messageLength"/> octets that follows the UDP
    /// header at <paramref name="l4"/>, and returns that message's bytes (not yet written). Empty when even the
    /// headroom is too small (never with the 128 octets every port keeps).
    /// </summary>
    public static Span<byte> TryMakeRoom(ref PacketDescriptor packet, int l3, int l4, int messageLength)
    {
        int messageStart = l4 + UdpHeader.Length;
        int wanted = messageStart + messageLength;
        int shortfall = wanted - (packet.Length + packet.Tailroom);
        if (shortfall > 0)
        {
            if (!packet.TryPrepend(shortfall, out _))
            {
                return default;
            }

            // The headers were at l3 + shortfall of the grown frame; they go back to l3. CopyTo copies overlapping
            // ranges as memmove does.
            var frame = packet.Data;
            frame.Slice(l3 + shortfall, messageStart - l3).CopyTo(frame[l3..]);
        }

        return packet.TrySetLength(wanted) ? packet.Data.Slice(messageStart, messageLength) : default;
    }

    /// <summary>
    /// Sends the message <see cref="TryMakeRoom"/> made room for (and the caller wrote) back where the packet came from:
    /// IP addresses swapped, TTL / hop limit 64, lengths and checksums set, UDP ports as given, a fresh Ethernet
    /// header for <paramref name="adjacency"/>. The packet is left transmitted on the adjacency's port.
    /// </summary>
    public static bool TrySendBack(ref PacketDescriptor packet, int l3, int l4, bool outerV4, ushort sourcePort, ushort destinationPort,
        in Adjacency adjacency)
    {
        var frame = packet.Data;
        int udpLength = frame.Length - l4;
        UdpHeader.TryCreateForWrite(frame[l4..], out var udp);
        udp.SourcePort = sourcePort;
        udp.DestinationPort = destinationPort;
        udp.TotalLength = (ushort)udpLength;
        udp.Checksum = 0;

        ushort etherType;
        if (outerV4)
        {
            Ipv4Header.TryCreateForWrite(frame[l3..], out var ip);
            var requestSource = ip.Source;
            ip.Source = ip.Destination;
            ip.Destination = requestSource;
            ip.TotalLength = (ushort)(l4 - l3 + udpLength);
            ip.TimeToLive = GtpUEndpointStage.OriginatedTtl;
            ip.Checksum = 0;
            ip.Checksum = ip.ComputeChecksum();
            udp.Checksum = udp.ComputeChecksum(ip.Source, ip.Destination);
            etherType = EtherType.Ipv4;
        }
        else
        {
            Ipv6Header.TryCreateForWrite(frame[l3..], out var ip);
            var requestSource = ip.Source;
            ip.Source = ip.Destination;
            ip.Destination = requestSource;
            ip.PayloadLength = (ushort)(l4 - l3 - Ipv6Header.Length + udpLength);
            ip.HopLimit = GtpUEndpointStage.OriginatedTtl;
            udp.Checksum = udp.ComputeChecksum(ip.Source, ip.Destination);
            etherType = EtherType.Ipv6;
        }

        if (!RoutingStage.TryWriteEthernet(ref packet, l3, adjacency, etherType))
        {
            return false;
        }

        packet.L3Offset = (ushort)(packet.DataOffset + EthernetHeader.Length);
        packet.L4Offset = (ushort)(packet.L3Offset + (l4 - l3));
        packet.Transmit(adjacency.Port);
        return true;
    }
}
