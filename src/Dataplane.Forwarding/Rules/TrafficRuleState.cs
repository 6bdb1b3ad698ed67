using System.Runtime.CompilerServices;
using Dataplane.Forwarding.Counters;

namespace Dataplane.Forwarding.Rules;

/// <summary>What a matched rule does, as flags the workers test (one per action).</summary>
[Flags]
public enum RuleActionFlags : byte
{
    None = 0,
    Drop = 1,
    MarkDscp = 2,
    RateLimit = 4,
    Offload = 8,

    /// <summary>The packet is put on an NSH service path (<see cref="TrafficRuleState.ServicePath"/>), after the other actions.</summary>
    ServicePath = 16,
}

/// <summary>
/// A rule as the workers use it: its definition, its actions as flags, its policer and its counters (packets and bytes
/// matched, policer drops; each worker on a line of its own, summed when read). Kept across rule-set changes while the
/// rule's definition stays the same, so counters and buckets carry on.
/// </summary>
public sealed class TrafficRuleState
{
    private const int PacketField = 0, ByteField = 1, PolicerDropField = 2, DropField = 3;

    private readonly PerWorkerCounters counts;

    public TrafficRuleState(TrafficRule rule, int workers, long frequency, long epoch, int uesPerRule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        Rule = rule;
        counts = new PerWorkerCounters(workers, 4);
        var actions = rule.Actions;
        Actions = (actions.Drop ? RuleActionFlags.Drop : 0)
            | (actions.MarkDscp is not null ? RuleActionFlags.MarkDscp : 0)
            | (actions.RateLimit is not null ? RuleActionFlags.RateLimit : 0)
            | (actions.Offload is not null ? RuleActionFlags.Offload : 0)
            | (actions.ServicePath is not null ? RuleActionFlags.ServicePath : 0);
        ServicePath = actions.ServicePath ?? 0;
        MarkDscp = actions.MarkDscp ?? 0;
        Policer = actions.RateLimit is { } limit ? new TrafficPolicer(limit, frequency, epoch, uesPerRule) : null;
    }

    public TrafficRule Rule { get; }

    public string Name => Rule.Name;

    public RuleActionFlags Actions { get; }

    public byte MarkDscp { get; }

    /// <summary>The NSH service path (SPI) of a servicePath rule; 0 otherwise.</summary>
    public uint ServicePath { get; }

    public TrafficPolicer? Policer { get; }

    public long Packets => counts.Sum(PacketField);

    public long Bytes => counts.Sum(ByteField);

    /// <summary>Packets over the rate limit, dropped as TrafficRulePolicerDrop.</summary>
    public long PolicerDrops => counts.Sum(PolicerDropField);

    /// <summary>Packets dropped by the drop action (TrafficRuleDrop).</summary>
    public long Drops => counts.Sum(DropField);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void CountMatch(int worker, int bytes)
    {
        counts.Add(worker, PacketField, 1);
        counts.Add(worker, ByteField, bytes);
    }

    public void CountPolicerDrop(int worker) => counts.Add(worker, PolicerDropField, 1);

    public void CountDrop(int worker) => counts.Add(worker, DropField, 1);
}
