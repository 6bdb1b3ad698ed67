using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Forwarding.Stages;

/// <summary>
/// Parses the outer headers of every packet in a batch once, records the L2/L3/L4 offsets (from the buffer start,
/// so they survive a later prepend or strip) and the <see cref="PacketKind"/>, and marks malformed packets dropped
/// under a named reason. Later stages trust these offsets and do not parse the outer headers again.
/// <para>
/// A UDP datagram is a tunnel packet (LispData, LispControl, Vxlan, VxlanGpe, GtpU, GtpC) when its destination port
/// names the tunnel and its destination address is one of our tunnel endpoints (<see cref="TunnelEndpoints"/>); on
/// those ports to any other address it is transit, NativeIpv4 / NativeIpv6, forwarded like any packet. The address is
/// looked at only after the port matched, so other traffic pays nothing for it.
/// </para>
/// Static and allocation-free: one call per batch.
/// </summary>
public static class ClassifyStage
{
    /// <summary>
    /// How many packets ahead the loop asks the CPU to fetch a frame's first cache line. Received frames are cold
    /// (a NIC, or another core, wrote them), and this is the first stage that reads them: without the prefetch every
    /// packet waits out a cache miss here. As in DPDK's l3fwd, a handful ahead covers the miss latency.
    /// </summary>
    public const int PrefetchAhead = 8;

    /// <summary>
    /// Classifies a batch with tunnels told by their UDP port alone (<see cref="TunnelEndpoints.ByPortAlone"/>): for a
    /// stage tested or measured on its own, whose own checks then decide.
    /// </summary>
    public static void Run(PacketBatch batch, WorkerCounters counters) => Run(batch, counters, TunnelEndpoints.ByPortAlone);

    /// <summary>Classifies a batch: a datagram on a tunnel port is a tunnel packet only when <paramref name="endpoints"/> terminate it.</summary>
    public static void Run(PacketBatch batch, WorkerCounters counters, TunnelEndpoints endpoints)
    {
        var packets = batch.AsSpan();
        counters.Received += packets.Length;
        for (int i = 0; i < Math.Min(PrefetchAhead, packets.Length); i++)
        {
            Prefetch(in packets[i]);
        }

        for (int i = 0; i < packets.Length; i++)
        {
            if (i + PrefetchAhead < packets.Length)
            {
                Prefetch(in packets[i + PrefetchAhead]);
            }

            ref var packet = ref packets[i];
            var reason = Classify(ref packet, endpoints);
            if (reason != DropReason.None)
            {
                packet.DropReason = (byte)reason;
                counters.Drop(reason);
            }
        }
    }

    /// <summary>Asks the CPU for the first cache line of the packet's frame (a hint: nothing is read).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch(in PacketDescriptor packet)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(packet.Buffer + packet.DataOffset);
        }
    }

    /// <summary>Classifies one packet; returns the drop reason, or None when it parsed.</summary>
    public static DropReason Classify(ref PacketDescriptor packet, TunnelEndpoints endpoints)
    {
        var frame = packet.Data;
        int l2 = packet.DataOffset;
        if (packet.Format == FrameFormat.Ethernet && TryClassifyPlainUdpOverIpv4(ref packet, frame, l2, endpoints))
        {
            return DropReason.None;
        }

        packet.Kind = PacketKind.Unclassified;
        int l3Start;
        ushort etherType;
        if (packet.Format == FrameFormat.RawIp)
        {
            l3Start = 0;
            etherType = frame.IsEmpty ? (ushort)0 : (frame[0] >> 4) switch { 4 => EtherType.Ipv4, 6 => EtherType.Ipv6, _ => (ushort)0 };
            if (etherType == 0)
            {
                return frame.IsEmpty || (frame[0] >> 4) == 4 ? DropReason.MalformedIpv4 : DropReason.UnsupportedEtherType;
            }
        }
        else
        {
            if (frame.Length < EthernetHeader.Length)
            {
                return DropReason.TruncatedEthernet;
            }

            if (!EthernetTagWalker.TryWalk(frame, out var layout))
            {
                return DropReason.TruncatedOrBadVlanTags;
            }

            l3Start = layout.L3Offset;
            etherType = layout.EtherType;
        }

        packet.L2Offset = (ushort)l2;
        packet.L3Offset = (ushort)(l2 + l3Start);
        var l3 = frame[l3Start..];
        byte protocol;
        Span<byte> l4;
        int l4Start;
        IpAddress destination;
        switch (etherType)
        {
            case EtherType.Ipv4:
                if (!Ipv4Header.TryCreate(l3, out var ipv4))
                {
                    return DropReason.MalformedIpv4;
                }

                packet.Kind = PacketKind.NativeIpv4;
                destination = ipv4.Destination;
                if (ipv4.IsFragment)
                {
                    // A fragment's L4 header is absent or cut short: the reassembly stage decides what it is.
                    packet.Kind = PacketKind.IpFragment;
                    return DropReason.None;
                }

                protocol = ipv4.Protocol;
                l4Start = l3Start + ipv4.HeaderLength;
                l4 = ipv4.Payload;
                break;
            case EtherType.Ipv6:
                if (!Ipv6Header.TryCreate(l3, out var ipv6))
                {
                    return DropReason.MalformedIpv6;
                }

                if (!ipv6.TryWalkExtensions(out var chain))
                {
                    return DropReason.Ipv6ExtensionChainInvalid;
                }

                packet.Kind = PacketKind.NativeIpv6;
                destination = ipv6.Destination;
                if (chain.HasFragmentHeader && (chain.FragmentOffset != 0 || chain.MoreFragments))
                {
                    // An atomic fragment (offset 0, M clear) is a whole datagram and classifies as one (RFC 8200 section 4.5).
                    packet.Kind = PacketKind.IpFragment;
                    return DropReason.None;
                }

                if (!chain.IsUpperLayerHeaderPresent)
                {
                    return DropReason.None;
                }

                protocol = chain.UpperLayerProtocol;
                l4Start = l3Start + chain.UpperLayerOffset;
                l4 = l3[chain.UpperLayerOffset..(Ipv6Header.Length + ipv6.PayloadLength)];
                break;
            case EtherType.Arp:
                packet.Kind = PacketKind.Arp;
                return DropReason.None;
            case NshHeader.EtherType:
                // NSH over Ethernet: the service function forwarder parses it (no stage takes it without an "nsh" section).
                packet.Kind = PacketKind.Nsh;
                return DropReason.None;
            default:
                return DropReason.UnsupportedEtherType;
        }

        packet.L4Offset = (ushort)(l2 + l4Start);
        switch (protocol)
        {
            case IpProtocol.Udp:
                if (!UdpHeader.TryCreate(l4, out var udp))
                {
                    return DropReason.MalformedUdp;
                }

                var tunnel = KindForUdpPort(udp.DestinationPort, packet.Kind);
                if (tunnel != packet.Kind && endpoints.Terminates(packet.IngressPort, tunnel, in destination))
                {
                    packet.Kind = tunnel;
                }

                return DropReason.None;
            case IpProtocol.Tcp:
                return TcpHeader.TryCreate(l4, out _) ? DropReason.None : DropReason.MalformedTcp;
            case IpProtocol.Icmp:
                return Icmpv4Header.TryCreate(l4, out _) ? DropReason.None : DropReason.MalformedIcmp;
            case IpProtocol.Icmpv6:
                if (!Icmpv6Header.TryCreate(l4, out var icmpv6))
                {
                    return DropReason.MalformedIcmp;
                }

                if (icmpv6.Type is Icmpv6Type.NeighborSolicitation or Icmpv6Type.NeighborAdvertisement)
                {
                    packet.Kind = PacketKind.NeighborDiscovery;
                }

                return DropReason.None;
            default:
                return DropReason.None;
        }
    }

    /// <summary>
    /// The common frame, untagged Ethernet / IPv4 without options / UDP, not a fragment, checked with the
    /// same bounds as the general path below (the IPv4 total length within the frame, the UDP length within the IPv4
    /// payload) but read at fixed offsets with one bounds check: most of the traffic of every role (tunnels and the
    /// flows inside them) takes this branch. False sends the frame to the general path, which decides it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryClassifyPlainUdpOverIpv4(ref PacketDescriptor packet, ReadOnlySpan<byte> frame, int l2, TunnelEndpoints endpoints)
    {
        const int Ip = EthernetHeader.Length;
        const int Udp = Ip + 20;
        if (frame.Length < Udp + UdpHeader.Length)
        {
            return false;
        }

        ref byte start = ref MemoryMarshal.GetReference(frame);
        if (Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref start, 12)) != BigEndianEtherTypeIpv4
            || Unsafe.Add(ref start, Ip) != 0x45 || Unsafe.Add(ref start, Ip + 9) != IpProtocol.Udp)
        {
            return false;
        }

        int totalLength = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref start, Ip + 2)));
        // The More Fragments bit and the offset: any fragment, the first included, takes the general path.
        int fragment = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref start, Ip + 6))) & 0x3FFF;
        int udpLength = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref start, Udp + 4)));
        if (fragment != 0 || totalLength > frame.Length - Ip || udpLength < UdpHeader.Length || udpLength > totalLength - 20)
        {
            return false;
        }

        ushort destinationPort = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref start, Udp + 2)));
        packet.L2Offset = (ushort)l2;
        packet.L3Offset = (ushort)(l2 + Ip);
        packet.L4Offset = (ushort)(l2 + Udp);
        var kind = KindForUdpPort(destinationPort, PacketKind.NativeIpv4);
        if (kind != PacketKind.NativeIpv4
            && !endpoints.Terminates(packet.IngressPort, kind, BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, Ip + 16)))))
        {
            kind = PacketKind.NativeIpv4; // transit on a tunnel port: not ours to open
        }

        packet.Kind = kind;
        return true;
    }

    // EtherType 0x0800 as it reads from the wire into a little-endian ushort.
    private static readonly ushort BigEndianEtherTypeIpv4 = BitConverter.IsLittleEndian ? (ushort)0x0008 : (ushort)0x0800;

    private static PacketKind KindForUdpPort(ushort port, PacketKind native) => port switch
    {
        TunnelPorts.LispData => PacketKind.LispData,
        TunnelPorts.LispControl => PacketKind.LispControl,
        TunnelPorts.Vxlan => PacketKind.Vxlan,
        TunnelPorts.VxlanGpe => PacketKind.VxlanGpe,
        TunnelPorts.GtpU => PacketKind.GtpU,
        TunnelPorts.GtpC => PacketKind.GtpC,
        _ => native,
    };
}
