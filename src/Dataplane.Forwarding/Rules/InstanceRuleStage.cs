using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Nsh;
using Dataplane.Forwarding.Stages;
using Dataplane.Tables.Time;

namespace Dataplane.Forwarding.Rules;

/// <summary>
/// Traffic rules of scope instance: native IPv4 and IPv6 packets, after every decapsulation (LISP, VXLAN) and before
/// encapsulation and routing, are matched against their instance's rules (first match by priority) and counted,
/// dropped, policed or marked. Packets of instances without rules, and packets no rule matches, go on untouched. In the
/// graph only when an instance rule existed when the worker was built (<see cref="TrafficRuleFeature"/>). A rule with
/// servicePath hands the packet, after its other actions, to the NSH classifier (<see cref="NshForwarder.Classify"/>),
/// which sends it to the path's first service function; with no "nsh" section it is dropped as NshUnknownPath.
/// </summary>
public sealed class InstanceRuleStage(TrafficRuleTable table, IMonotonicClock clock, int worker, NshForwarder? nsh = null) : IBatchStage
{
    private readonly RuleFlowCache cache = new();

    public string Name => "instance-rules";

    public PacketKinds Accepts => PacketKinds.NativeIp;

    public void Run(Span<PacketDescriptor> packets, ReadOnlySpan<ushort> vector, WorkerCounters counters)
    {
        var snapshot = table.Current;
        if (snapshot is null)
        {
            return;
        }

        var instances = snapshot.Instances;
        long now = clock.Now;
        nsh?.BeginBatch();
        foreach (ushort index in vector)
        {
            ref var packet = ref packets[index];
            if (!instances.TryGetValue(packet.InstanceId, out var tables))
            {
                continue;
            }

            int l3 = packet.L3Offset - packet.DataOffset;
            var frame = packet.Data;
            if (l3 < 0 || l3 >= frame.Length)
            {
                continue;
            }

            var ip = frame[l3..];
            bool v6 = packet.Kind == PacketKind.NativeIpv6;
            var classifier = v6 ? tables.V6 : tables.V4;
            if (classifier is null || !RuleKeyReader.TryRead(ip, out var key, out int length))
            {
                continue;
            }

            int rule = RuleActionRunner.Match(cache, snapshot, classifier, v6 ? tables.V6Table : tables.V4Table, in key, worker, length);
            if (rule < 0)
            {
                continue;
            }

            var state = snapshot.Rules[rule];
            var reason = RuleActionRunner.Apply(state, worker, now, ip, length, ue: 0, out _);
            if (reason == DropReason.None && (state.Actions & RuleActionFlags.ServicePath) != 0 && (packet.Flags & PacketFlags.FromServicePath) == 0)
            {
                reason = nsh is null ? DropReason.NshUnknownPath : nsh.Classify(ref packet, state.ServicePath, counters);
            }

            if (reason != DropReason.None)
            {
                packet.Drop(reason, counters);
            }
        }
    }
}
