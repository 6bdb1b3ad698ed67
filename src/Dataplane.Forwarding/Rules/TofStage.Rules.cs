using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Rules;
using Dataplane.Forwarding.Stages;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// The TOF's part of the traffic rules (scope tof, docs/configuration/traffic-rules.md): before the TOF decides a
/// packet, its inner packet is matched (uplink G-PDUs from the eNB side, downlink G-PDUs from the SGW side, the
/// applications' packets from the Apps port), and the rule counts, drops, polices, marks or redirects the offload.
/// Kept apart from the TOF's own path, which calls in here only when a rule set with TOF rules is published.
/// </summary>
public sealed partial class TofStage
{
    // Rule-offloaded flows to another address than the service's: one service view per (service, destination), made
    // once (the flow table keeps the view's address as the one replies are NATed back to). Bounded: cleared when full.
    private const int MaxOffloadViews = 4096;

    private readonly RuleFlowCache ruleCache = new();

    // The plain G-PDUs' rule keys, by vector position, read in the first pass (where the frame's lines are in).
    private readonly RuleKey[] plainRuleKeys = new RuleKey[PacketBatch.MaxCapacity];
    private readonly Dictionary<(string Service, uint Destination), TofService> offloadViews = [];

    /// <summary>The rule set to match, read once per batch: null when no rule of scope tof exists (then nothing is done per packet).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TrafficRuleSnapshot? TofRules() => plane.TrafficRules.Current is { HasTofRules: true } rules ? rules : null;

    /// <summary>
    /// The first pass's share of the rules: each plain G-PDU's inner IPv4 fields read at their fixed offsets (no
    /// options: the plain layout), and the flow-cache entry its lookup will read asked for ahead.
    /// </summary>
    private void SightTrafficRules(Span<PacketDescriptor> packets, ReadOnlySpan<ushort> vector, ReadOnlySpan<PlainSighting> batch, TrafficRuleSnapshot rules)
    {
        for (int v = 0; v < batch.Length; v++)
        {
            ref readonly var sighting = ref batch[v];
            if (!sighting.Plain)
            {
                continue;
            }

            ref byte ip = ref Unsafe.Add(ref MemoryMarshal.GetReference(packets[vector[v]].Data), sighting.GPdu.InnerStart);
            ref var key = ref plainRuleKeys[v];
            key.Source = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref ip, 12)));
            key.Destination = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref ip, 16)));
            key.Protocol = Unsafe.Add(ref ip, 9);
            key.Dscp = (byte)(Unsafe.Add(ref ip, 1) >> 2);
            bool laterFragment = (BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref ip, 6))) & 0x1FFF) != 0;
            if (!laterFragment && key.Protocol is IpProtocol.Tcp or IpProtocol.Udp && sighting.GPdu.InnerLength >= Ipv4Header.MinLength + 4)
            {
                key.SourcePort = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref ip, Ipv4Header.MinLength)));
                key.DestinationPort = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref ip, Ipv4Header.MinLength + 2)));
            }
            else
            {
                key.SourcePort = 0;
                key.DestinationPort = 0;
            }

            ruleCache.Prefetch(rules.Generation, sighting.Uplink ? RuleTableId.TofUplink4 : RuleTableId.TofDownlink4, in key);
        }
    }

    /// <summary>
    /// Matches one packet of the vector; returns the drop reason when a rule drops it, None when it goes on (counted,
    /// perhaps marked, perhaps redirected to another service's application: <paramref name="sighting"/> then says so).
    /// </summary>
    private DropReason ApplyTrafficRules(ref PacketDescriptor packet, ref PlainSighting sighting, int position, TrafficRuleSnapshot rules, long now)
    {
        if (sighting.Plain)
        {
            var classifier = sighting.Uplink ? rules.TofUplink4 : rules.TofDownlink4;
            if (classifier is null)
            {
                return DropReason.None;
            }

            var ip = packet.Data.Slice(sighting.GPdu.InnerStart, sighting.GPdu.InnerLength);
            ref readonly var key = ref plainRuleKeys[position];
            int length = sighting.GPdu.InnerLength;

            int rule = RuleActionRunner.Match(ruleCache, rules, classifier, sighting.Uplink ? RuleTableId.TofUplink4 : RuleTableId.TofDownlink4, in key, worker, length);
            if (rule < 0)
            {
                return DropReason.None;
            }

            var state = rules.Rules[rule];
            var reason = RuleActionRunner.Apply(state, worker, now, ip, length, sighting.Ue.Value, out _); // an IPv4 mark keeps the header's sum
            if (reason == DropReason.None && sighting.Uplink && (state.Actions & RuleActionFlags.Offload) != 0 && rules.OffloadTargets[rule] is { } target)
            {
                RedirectOffload(in packet, ref sighting, target, (uint)key.Destination);
            }

            return reason;
        }

        return ApplyTrafficRulesGeneral(ref packet, rules, now);
    }

    /// <summary>
    /// Points a plain uplink G-PDU at <paramref name="target"/>'s application (an instance of its cluster): the flow is
    /// keyed by the target's service address, which is how the return path finds it from the application's address,
    /// with the packet's own destination as the address the application's replies are NATed back to. A packet whose
    /// flow cannot be keyed (a fragment, not TCP, UDP or ICMP echo) is not offloaded.
    /// </summary>
    private void RedirectOffload(in PacketDescriptor packet, ref PlainSighting sighting, TofService target, uint destination)
    {
        if (!target.ServiceIp.IsV4)
        {
            return; // an IPv6 service cannot take an IPv4 flow
        }

        var service = target.ServiceIpv4.Value == destination ? target : OffloadView(target, destination);
        var ip = packet.Data.Slice(sighting.GPdu.InnerStart, sighting.GPdu.InnerLength);
        byte protocol = ip[9];
        bool fragment = (BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x3FFF) != 0;
        sighting.Service = service;
        sighting.Keyed = false;
        if (!fragment && TofFlowPorts.TryRead(protocol, ip[Ipv4Header.MinLength..], Icmpv4Type.EchoRequest, out ushort uePort, out ushort servicePort))
        {
            sighting.Keyed = true;
            sighting.FlowKey = new TofNatFlowKey(sighting.Ue, uePort, target.ServiceIpv4, servicePort, protocol);
            sighting.FlowHome = flows.Home(sighting.FlowKey);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private TofService OffloadView(TofService target, uint destination)
    {
        if (!offloadViews.TryGetValue((target.Name, destination), out var view) || !ReferenceEquals(view.Balancer, target.Balancer))
        {
            if (offloadViews.Count >= MaxOffloadViews)
            {
                offloadViews.Clear();
            }

            view = target.At(new Ipv4Address(destination)); // the target's instances (a changed target has a new table)
            offloadViews[(target.Name, destination)] = view;
        }

        return view;
    }

    /// <summary>
    /// The packets the plain path does not read: G-PDUs with options, extension headers, IPv6 inside or outside (the
    /// outer UDP checksum is brought up to date when an IPv6 inner packet is marked), and the Apps port's native IP
    /// (downlink, the UE being the destination). Offload by rule is the plain path's only.
    /// </summary>
    private DropReason ApplyTrafficRulesGeneral(ref PacketDescriptor packet, TrafficRuleSnapshot rules, long now)
    {
        var frame = packet.Data;
        int l3 = packet.L3Offset - packet.DataOffset;
        if (l3 < 0 || l3 >= frame.Length)
        {
            return DropReason.None;
        }

        ushort ingress = packet.IngressPort;
        if (ingress == settings.AppsPort && packet.Kind is PacketKind.NativeIpv4 or PacketKind.NativeIpv6)
        {
            return MatchInner(frame[l3..], uplink: false, rules, now, udpChecksumAt: -1, frame, 0);
        }

        if (packet.Kind != PacketKind.GtpU || (ingress != settings.EnbPort && ingress != settings.SgwPort))
        {
            return DropReason.None;
        }

        int l4 = packet.L4Offset - packet.DataOffset;
        IpAddress source, destination;
        int end;
        if (frame[l3] >> 4 == 4 && Ipv4Header.TryCreate(frame[l3..], out var outer))
        {
            (source, destination, end) = (outer.Source, outer.Destination, l3 + outer.TotalLength);
        }
        else if (frame[l3] >> 4 == 6 && Ipv6Header.TryCreate(frame[l3..], out var outer6))
        {
            (source, destination, end) = (outer6.Source, outer6.Destination, l3 + Ipv6Header.Length + outer6.PayloadLength);
        }
        else
        {
            return DropReason.None;
        }

        if (l4 <= l3 || end > frame.Length || end <= l4 || !UdpHeader.TryCreate(frame[l4..end], out var udp) || !GtpUHeader.TryCreate(udp.Payload, out var gtp)
            || gtp.MessageType != GtpUMessageType.GPdu || !gtp.TryWalkToPayload(out int payloadOffset, out _))
        {
            return DropReason.None;
        }

        var direction = Direction(ingress, source, destination);
        if (direction == TofDirection.None)
        {
            return DropReason.None;
        }

        int gtpStart = l4 + UdpHeader.Length;
        int innerStart = gtpStart + payloadOffset;
        int innerEnd = gtpStart + gtp.Message.Length;
        if (innerStart >= innerEnd)
        {
            return DropReason.None;
        }

        return MatchInner(frame[innerStart..innerEnd], direction == TofDirection.Uplink, rules, now, l4 + 6, frame, innerStart - l4);
    }

    /// <param name="udpChecksumAt">Where the outer UDP checksum is in <paramref name="frame"/>, -1 when none covers the packet.</param>
    /// <param name="offsetFromUdp">Where the inner packet starts from the UDP header (for the checksum's byte order).</param>
    private DropReason MatchInner(Span<byte> ip, bool uplink, TrafficRuleSnapshot rules, long now, int udpChecksumAt, Span<byte> frame, int offsetFromUdp)
    {
        if (!RuleKeyReader.TryRead(ip, out var key, out int length))
        {
            return DropReason.None;
        }

        bool v6 = ip[0] >> 4 == 6;
        var classifier = uplink ? (v6 ? rules.TofUplink6 : rules.TofUplink4) : (v6 ? rules.TofDownlink6 : rules.TofDownlink4);
        if (classifier is null)
        {
            return DropReason.None;
        }

        int table = uplink ? (v6 ? RuleTableId.TofUplink6 : RuleTableId.TofUplink4) : (v6 ? RuleTableId.TofDownlink6 : RuleTableId.TofDownlink4);
        int rule = RuleActionRunner.Match(ruleCache, rules, classifier, table, in key, worker, length);
        if (rule < 0)
        {
            return DropReason.None;
        }

        var ue = RuleActionRunner.UeKey(uplink ? key.Source : key.Destination, v6);
        var reason = RuleActionRunner.Apply(rules.Rules[rule], worker, now, ip, length, ue, out var mark);
        if (reason == DropReason.None && udpChecksumAt >= 0 && mark.Before != mark.After)
        {
            var checksum = frame.Slice(udpChecksumAt, 2);
            BinaryPrimitives.WriteUInt16BigEndian(checksum,
                DscpMarker.UpdateUdpChecksum(BinaryPrimitives.ReadUInt16BigEndian(checksum), offsetFromUdp, mark.Before, mark.After));
        }

        return reason;
    }
}
