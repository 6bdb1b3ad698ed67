using System.Runtime.CompilerServices;
using Dataplane.Forwarding.Counters;

namespace Dataplane.Forwarding.Rules;

/// <summary>
/// What every stage does with a packet a rule matched: count it (packets and bytes, this worker's line), then drop it,
/// police it, mark it, in that order. Offload is the TOF's and left to it. Returns the drop reason, or None when the
/// packet goes on (marked when the rule says so).
/// </summary>
public static class RuleActionRunner
{
    /// <param name="ip">The packet from its IP header (whole, as <see cref="RuleKeyReader"/> checked).</param>
    /// <param name="length">The IP packet's length, what the rule counts and the byte rate charges.</param>
    /// <param name="ue">The UE's key for a per-UE policer (<see cref="UeKey"/>); 0 elsewhere.</param>
    /// <param name="mark">The first 16-bit word of the IP header before and after a DSCP mark (equal when unmarked).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DropReason Apply(TrafficRuleState rule, int worker, long now, Span<byte> ip, int length, ulong ue, out (ushort Before, ushort After) mark)
    {
        mark = default;
        rule.CountMatch(worker, length);
        var actions = rule.Actions;
        if (actions == RuleActionFlags.None)
        {
            return DropReason.None;
        }

        if ((actions & RuleActionFlags.Drop) != 0)
        {
            rule.CountDrop(worker);
            return DropReason.TrafficRuleDrop;
        }

        if ((actions & RuleActionFlags.RateLimit) != 0 && !rule.Policer!.Admit(now, length, ue))
        {
            rule.CountPolicerDrop(worker);
            return DropReason.TrafficRulePolicerDrop;
        }

        if ((actions & RuleActionFlags.MarkDscp) != 0)
        {
            mark = DscpMarker.Mark(ip, rule.MarkDscp);
        }

        return DropReason.None;
    }

    /// <summary>
    /// The rule that holds a packet: the first match by priority (from the flow cache), after counting any count-only
    /// rules before it (counting alone lets the packet go on as if no rule held it, so the next match is looked for);
    /// -1 when none holds it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Match(RuleFlowCache cache, TrafficRuleSnapshot rules, RuleClassifier classifier, int table, in RuleKey key, int worker, int length)
    {
        int rule = cache.Lookup(rules.Generation, classifier, table, in key);
        while (rule >= 0 && rules.Rules[rule].Actions == RuleActionFlags.None)
        {
            rules.Rules[rule].CountMatch(worker, length);
            rule = classifier.LookupAfter(in key, rule);
        }

        return rule;
    }

    /// <summary>
    /// The per-UE policer's key of a UE address: an IPv4 address as itself, an IPv6 UE by its /64 (the prefix a UE is
    /// given, as the TOF learns IPv6 UEs); global IPv6 prefixes are never below 2^32, so the two do not meet.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong UeKey(UInt128 address, bool v6) => v6 ? (ulong)(address >> 64) : (ulong)address;
}
