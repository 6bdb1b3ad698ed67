using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Forwarding.Vxlan;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Forwarding.Nsh;

/// <summary>
/// One worker's NSH work, shared by the service function forwarder (<see cref="NshStage"/>) and the classifier
/// (a traffic rule's servicePath action): put a native packet on a path (<see cref="Classify"/>), forward an NSH
/// packet to the function its Service Index names (<see cref="Forward"/>), remove NSH at the end of a path. The
/// paths, the FIB and the neighbours are read once per batch (<see cref="BeginBatch"/>). Everything happens in the
/// packet's own buffer: NSH and the transport headers go into the headroom, decapsulation moves the start.
/// </summary>
public sealed class NshForwarder(ForwardingPlane plane, NshFeature feature, int worker)
{
    private NshTables tables = feature.Tables;
    private UnderlayResolver underlay;

    /// <summary>The paths as they are now, for this batch.</summary>
    public NshTables Tables => tables;

    /// <summary>Reads the paths, FIB and neighbours for a batch.</summary>
    public void BeginBatch()
    {
        tables = feature.Tables;
        underlay = UnderlayResolver.ForBatch(plane);
    }

    /// <summary>
    /// The classifier: puts a native IPv4 / IPv6 packet (kind and L3 offset set by the classifier) on path
    /// <paramref name="spi"/>: its link-layer header goes, NSH goes in front (the configured MD type, TTL 63, SI 255,
    /// RFC 8300 section 2) and it is sent to the path's first function. Returns why not, for the caller to drop it.
    /// </summary>
    public DropReason Classify(ref PacketDescriptor packet, uint spi, WorkerCounters counters)
    {
        if (!tables.Paths.TryGetValue(spi, out var path))
        {
            return DropReason.NshUnknownPath;
        }

        int l3 = packet.L3Offset - packet.DataOffset;
        bool isIpv4 = packet.Kind == PacketKind.NativeIpv4;
        if (l3 < 0 || l3 >= packet.Length || !TryIpLength(packet.Data[l3..], isIpv4, out int ipLength))
        {
            return isIpv4 ? DropReason.MalformedIpv4 : DropReason.MalformedIpv6;
        }

        int nshLength = tables.MdType == NshHeader.MdType1 ? NshHeader.MdType1Length : NshHeader.MinLength;
        packet.TryAdjust(l3);
        packet.TrySetLength(ipLength);
        if (!packet.TryPrepend(nshLength, out var front))
        {
            return DropReason.NoHeadroom;
        }

        NshHeader.TryCreateForWrite(front, out var nsh);
        var next = isIpv4 ? NshNextProtocol.Ipv4 : NshNextProtocol.Ipv6;
        if (nshLength == NshHeader.MdType1Length)
        {
            nsh.InitializeMdType1(NshHeader.DefaultTtl, next, spi, NshServicePath.FirstServiceIndex);
        }
        else
        {
            nsh.InitializeMdType2(NshHeader.DefaultTtl, next, spi, NshServicePath.FirstServiceIndex);
        }

        var reason = SendToHop(ref packet, path, 0, nshLength);
        if (reason == DropReason.None)
        {
            counters.Count(ForwardingEvent.NshClassified);
        }

        return reason;
    }

    /// <summary>
    /// The service function forwarder (RFC 8300 sections 2.2, 2.3, 4): the NSH at <paramref name="nshStart"/> of the
    /// frame, <paramref name="nshLength"/> bytes with its inner packet, came back from a function (which decremented
    /// SI). TTL is decremented (0 after it: dropped), the path found by SPI and the next hop by SI: the function at
    /// that index gets it in its transport; past the last hop NSH is removed and the inner packet left pending for
    /// routing in the path's instance (or dropped, for a path that ends so).
    /// </summary>
    public DropReason Forward(ref PacketDescriptor packet, int nshStart, int nshLength, WorkerCounters counters)
    {
        if (nshStart < 0 || nshLength < NshHeader.MinLength || nshStart + nshLength > packet.Length)
        {
            return DropReason.NshMalformed;
        }

        var bytes = packet.Data.Slice(nshStart, nshLength);
        if (!NshHeader.TryCreate(bytes, out var nsh) || !nsh.IsWellFormed)
        {
            return DropReason.NshMalformed;
        }

        // RFC 8300 section 2.2: decremented before the lookup; 0 wraps to 63; 0 after the decrement is not forwarded.
        byte ttl = (byte)((nsh.Ttl - 1) & NshHeader.MaxTtl);
        if (ttl == 0)
        {
            return DropReason.NshTtlExpired;
        }

        if (!tables.Paths.TryGetValue(nsh.ServicePathIdentifier, out var path))
        {
            return DropReason.NshUnknownPath;
        }

        int hop = NshServicePath.FirstServiceIndex - nsh.ServiceIndex;
        var hops = path.Hops;
        if (hop > hops.Length)
        {
            return DropReason.NshUnknownPath;
        }

        int headerLength = nsh.HeaderLength;
        var next = nsh.NextProtocol;
        if (!TryInnerLength(nsh.Payload, next, out int innerLength))
        {
            return DropReason.NshMalformed;
        }

        nsh.Ttl = ttl;
        if (hop == hops.Length)
        {
            return End(ref packet, path, nshStart + headerLength, innerLength, next, counters);
        }

        packet.TryAdjust(nshStart);
        packet.TrySetLength(headerLength + innerLength);
        var reason = SendToHop(ref packet, path, hop, headerLength);
        if (reason == DropReason.None)
        {
            counters.Count(ForwardingEvent.NshForwarded);
        }

        return reason;
    }

    /// <summary>The end of the path: NSH removed, the inner IP packet left pending in the path's instance.</summary>
    private DropReason End(ref PacketDescriptor packet, NshServicePath path, int innerStart, int innerLength, NshNextProtocol next, WorkerCounters counters)
    {
        path.Counters.CountEnded(worker);
        if (!path.RouteAtEnd)
        {
            return DropReason.NshPathEnd;
        }

        var inner = packet.Data.Slice(innerStart, innerLength);
        if (next == NshNextProtocol.Ethernet)
        {
            // An inner frame (an L2 chain): its IP packet is routed, as a router would having received the frame.
            ushort etherType = inner.Length >= EthernetHeader.Length ? BinaryPrimitives.ReadUInt16BigEndian(inner[12..]) : (ushort)0;
            if (etherType is not (EtherType.Ipv4 or EtherType.Ipv6))
            {
                return DropReason.NshPathEnd;
            }

            next = etherType == EtherType.Ipv4 ? NshNextProtocol.Ipv4 : NshNextProtocol.Ipv6;
            innerStart += EthernetHeader.Length;
            inner = inner[EthernetHeader.Length..];
        }

        if (next is not (NshNextProtocol.Ipv4 or NshNextProtocol.Ipv6))
        {
            return DropReason.NshPathEnd;
        }

        bool isIpv4 = next == NshNextProtocol.Ipv4;
        if (!TryIpLength(inner, isIpv4, out int ipLength))
        {
            return DropReason.InnerHeaderMalformed;
        }

        int headerLength = isIpv4 ? (inner[0] & 0x0F) * 4 : Ipv6Header.Length;
        packet.HandOffInner(innerStart, ipLength, isIpv4 ? PacketKind.NativeIpv4 : PacketKind.NativeIpv6, headerLength, path.InstanceId,
            PacketFlags.FromServicePath);
        counters.Count(ForwardingEvent.NshDecapsulated);
        return DropReason.None;
    }

    /// <summary>Sends the packet, which starts with its NSH (<paramref name="nshLength"/> bytes), to hop <paramref name="hop"/> of the path.</summary>
    private DropReason SendToHop(ref PacketDescriptor packet, NshServicePath path, int hop, int nshLength)
    {
        var function = path.Hops[hop];
        if (function.IsEthernet)
        {
            if (!plane.Ports.TryGet(function.Port, out var port))
            {
                return DropReason.NoRoute;
            }

            if (packet.Length > port.Mtu)
            {
                return DropReason.OverMtu;
            }

            if (!packet.TryPrepend(EthernetHeader.Length, out var front))
            {
                return DropReason.NoHeadroom;
            }

            EthernetHeader.TryCreateForWrite(front, out var ethernet);
            ethernet.Destination = function.Mac;
            ethernet.Source = port.Mac;
            ethernet.EtherType = NshHeader.EtherType;
            packet.L2Offset = (ushort)packet.DataOffset;
            packet.L3Offset = (ushort)(packet.DataOffset + EthernetHeader.Length);
            packet.L4Offset = 0;
            packet.InnerL3Offset = (ushort)(packet.L3Offset + nshLength);
            packet.Kind = PacketKind.Nsh;
            packet.Transmit(function.Port);
        }
        else
        {
            var unresolved = underlay.Resolve(function.Address, out var adjacency);
            if (unresolved != DropReason.None)
            {
                return unresolved;
            }

            if (VxlanEncapsulator.OuterIpLength(function.Address.IsV6, packet.Length) > adjacency.Mtu)
            {
                return DropReason.OverMtu;
            }

            ushort sourcePort = SourcePort(packet.Data, nshLength);
            if (!VxlanEncapsulator.TryEncapsulate(ref packet, adjacency, function.Source, function.Address, sourcePort, TunnelPorts.VxlanGpe,
                    tables.UnderlayTtl, function.Vni, VxlanGpeNextProtocol.Nsh))
            {
                return DropReason.NoHeadroom;
            }

            packet.Kind = PacketKind.VxlanGpe;
            packet.Transmit(adjacency.Port);
        }

        path.Counters.CountSent(worker, packet.Length);
        return DropReason.None;
    }

    /// <summary>The outer UDP source port: the VXLAN hash (RFC 7348 section 5) of what NSH carries, so one flow keeps one port.</summary>
    private static ushort SourcePort(ReadOnlySpan<byte> nshAndInner, int nshLength)
    {
        var inner = nshAndInner[nshLength..];
        return (NshNextProtocol)nshAndInner[3] switch
        {
            NshNextProtocol.Ipv4 => VxlanSourcePort.ForIp(inner, isIpv4: true),
            NshNextProtocol.Ipv6 => VxlanSourcePort.ForIp(inner, isIpv4: false),
            NshNextProtocol.Ethernet => VxlanSourcePort.ForFrame(inner),
            _ => Hashing.FlowHash.SourcePortBase,
        };
    }

    /// <summary>The inner packet's own length where its header says it (IP), else all that follows NSH.</summary>
    private static bool TryInnerLength(ReadOnlySpan<byte> inner, NshNextProtocol next, out int length)
    {
        if (next is NshNextProtocol.Ipv4 or NshNextProtocol.Ipv6)
        {
            return TryIpLength(inner, next == NshNextProtocol.Ipv4, out length);
        }

        length = inner.Length;
        return true;
    }

    private static bool TryIpLength(ReadOnlySpan<byte> ip, bool isIpv4, out int length)
    {
        length = 0;
        if (isIpv4)
        {
            if (ip.Length < 20 || (ip[0] >> 4) != 4 || (ip[0] & 0x0F) < 5)
            {
                return false;
            }

            length = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
            return length >= (ip[0] & 0x0F) * 4 && length <= ip.Length;
        }

        if (ip.Length < Ipv6Header.Length || (ip[0] >> 4) != 6)
        {
            return false;
        }

        length = Ipv6Header.Length + BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        return length <= ip.Length;
    }
}
