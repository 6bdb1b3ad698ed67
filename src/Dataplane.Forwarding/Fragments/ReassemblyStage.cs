using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Tables.Time;

namespace Dataplane.Forwarding.Fragments;

/// <summary>
/// One worker's fragment handling, before any stage looks into a tunnel: it takes every packet the classifier found
/// to be an IP fragment. A fragment addressed to us (a port address or a LISP local RLOC) on a node that
/// decapsulates goes into the worker's <see cref="ReassemblyTable"/>; the fragment that completes its datagram
/// leaves this stage as the whole datagram, classified again, so the graph hands it to its decapsulator (LISP,
/// VXLAN, GTP-U) like any packet. The other fragments are native IP again, for routing or an ITR, as before.
/// </summary>
public sealed class ReassemblyStage(LocalAddressSet endpoints, ReassemblyTable? table, IMonotonicClock clock, TunnelEndpoints tunnels) : IBatchStage
{
    /// <summary>The table, or null on a node that decapsulates nothing and so reassembles nothing.</summary>
    public ReassemblyTable? Table => table;

    public string Name => "reassembly";

    public PacketKinds Accepts => PacketKinds.IpFragment;

    public void Run(Span<PacketDescriptor> packets, ReadOnlySpan<ushort> vector, WorkerCounters counters)
    {
        long now = table is null ? 0 : clock.Now;
        table?.Expire(now, counters);
        foreach (ushort i in vector)
        {
            ref var packet = ref packets[i];
            var l3 = packet.BufferSpan[packet.L3Offset..];
            bool ipv4 = (l3[0] >> 4) == 4;
            if (table is null || !IsForUs(endpoints, l3, ipv4))
            {
                packet.Kind = ipv4 ? PacketKind.NativeIpv4 : PacketKind.NativeIpv6;
                continue;
            }

            var reason = IpFragment.TryRead(in packet, ReassemblyTable.HeaderRoom, out var fragment);
            if (reason == DropReason.None)
            {
                reason = table.Offer(ref packet, in fragment, now, counters);
            }

            if (reason == DropReason.None)
            {
                reason = ClassifyStage.Classify(ref packet, tunnels);
            }

            if (reason != DropReason.None)
            {
                packet.Drop(reason, counters);
            }
        }
    }

    private static bool IsForUs(LocalAddressSet endpoints, ReadOnlySpan<byte> l3, bool ipv4) => ipv4
        ? endpoints.Contains(Wire.Addresses.Ipv4Address.Read(l3[16..]))
        : endpoints.Contains(Wire.Addresses.Ipv6Address.Read(l3[24..]));
}
