using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Forwarding.Nsh;

/// <summary>
/// The service function forwarder, one per worker, in the graph only when the configuration has an "nsh" section.
/// It takes NSH over Ethernet (EtherType 0x894F) and VXLAN-GPE to one of our addresses; of the GPE packets it keeps
/// those whose next protocol is NSH and leaves every other one pending, untouched, for the VTEP after it. Each NSH
/// packet goes to <see cref="NshForwarder.Forward"/>: to the next function of its path, or off the path into routing.
/// </summary>
public sealed class NshStage(ForwardingPlane plane, NshFeature feature, int worker) : IBatchStage
{
    private readonly bool acceptsBadChecksums = TunnelUdpChecksum.AcceptsBad(plane.Config);
    private readonly NshForwarder forwarder = new(plane, feature, worker);

    public string Name => "nsh";

    public PacketKinds Accepts => PacketKinds.VxlanGpe | PacketKinds.Nsh;

    public void Run(Span<PacketDescriptor> packets, ReadOnlySpan<ushort> vector, WorkerCounters counters)
    {
        forwarder.BeginBatch();
        foreach (ushort i in vector)
        {
            ref var packet = ref packets[i];
            var reason = packet.Kind == PacketKind.Nsh ? OverEthernet(ref packet, counters) : OverGpe(ref packet, counters);
            if (reason != DropReason.None)
            {
                packet.Drop(reason, counters);
            }
        }
    }

    private DropReason OverEthernet(ref PacketDescriptor packet, WorkerCounters counters)
    {
        int nshStart = packet.L3Offset - packet.DataOffset;
        return forwarder.Forward(ref packet, nshStart, packet.Length - nshStart, counters);
    }

    /// <summary>VXLAN-GPE to us: NSH when the next protocol says so (draft-ietf-nvo3-vxlan-gpe: 4), else left for the VTEP.</summary>
    private DropReason OverGpe(ref PacketDescriptor packet, WorkerCounters counters)
    {
        var frame = packet.Data;
        int l3 = packet.L3Offset - packet.DataOffset;
        int l4 = packet.L4Offset - packet.DataOffset;
        if (l3 < 0 || l4 <= l3 || l4 + UdpHeader.Length + VxlanGpeHeader.Length > frame.Length)
        {
            return DropReason.None; // not a whole GPE header: the VTEP (or nobody) judges it
        }

        var gpe = frame.Slice(l4 + UdpHeader.Length, VxlanGpeHeader.Length);
        if (gpe[3] != (byte)VxlanGpeNextProtocol.Nsh || (gpe[0] & VxlanGpeHeader.NextProtocolFlag) == 0)
        {
            return DropReason.None;
        }

        if ((gpe[0] & VxlanGpeHeader.VersionMask) != 0)
        {
            return DropReason.NshMalformed;
        }

        int udpLength = BinaryPrimitives.ReadUInt16BigEndian(frame[(l4 + 4)..]);
        if (udpLength < UdpHeader.Length + VxlanGpeHeader.Length || l4 + udpLength > frame.Length)
        {
            return DropReason.MalformedUdp;
        }

        bool outerV4 = frame[l3] >> 4 == 4;
        if (BinaryPrimitives.ReadUInt16BigEndian(frame[(l4 + 6)..]) != 0)
        {
            var checksum = TunnelUdpChecksum.Check(in packet, frame, l3, l4, outerV4, acceptsBadChecksums, counters);
            if (checksum != DropReason.None)
            {
                return checksum;
            }
        }

        int nshStart = l4 + UdpHeader.Length + VxlanGpeHeader.Length;
        return forwarder.Forward(ref packet, nshStart, udpLength - UdpHeader.Length - VxlanGpeHeader.Length, counters);
    }
}
