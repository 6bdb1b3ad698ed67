using System.Collections.Frozen;
using Dataplane.Forwarding.Tof;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Rules;

/// <summary>The classifiers of one instance (VRF): IPv4 and IPv6, null when no rule of that family.</summary>
public sealed record InstanceRuleTables(RuleClassifier? V4, int V4Table, RuleClassifier? V6, int V6Table);

/// <summary>
/// One published state of the traffic rules, immutable: the rules by index, the classifiers of the TOF (per direction
/// and family) and of each instance, the services the rules resolve to. Workers read the current one once per batch
/// (<see cref="TrafficRuleTable.Current"/>); writers build a new one and publish it with one reference write.
/// </summary>
public sealed class TrafficRuleSnapshot
{
    internal TrafficRuleSnapshot(int generation, TrafficRuleState[] rules, TofService?[] offloadTargets, RuleClassifier? tofUplink4,
        RuleClassifier? tofUplink6, RuleClassifier? tofDownlink4, RuleClassifier? tofDownlink6, FrozenDictionary<uint, InstanceRuleTables> instances)
    {
        Generation = generation;
        Rules = rules;
        OffloadTargets = offloadTargets;
        TofUplink4 = tofUplink4;
        TofUplink6 = tofUplink6;
        TofDownlink4 = tofDownlink4;
        TofDownlink6 = tofDownlink6;
        Instances = instances;
        HasTofRules = tofUplink4 is not null || tofUplink6 is not null || tofDownlink4 is not null || tofDownlink6 is not null;
    }

    /// <summary>Grows with every publish (from 1), so a flow cache's entry of an older set never answers for this one.</summary>
    public int Generation { get; }

    public TrafficRuleState[] Rules { get; }

    /// <summary>Per rule: the registered service its offload action names (null: none, or the service is gone).</summary>
    public TofService?[] OffloadTargets { get; }

    public RuleClassifier? TofUplink4 { get; }

    public RuleClassifier? TofUplink6 { get; }

    public RuleClassifier? TofDownlink4 { get; }

    public RuleClassifier? TofDownlink6 { get; }

    public bool HasTofRules { get; }

    public FrozenDictionary<uint, InstanceRuleTables> Instances { get; }

    /// <summary>
    /// Builds the classifiers of <paramref name="rules"/> (any order; matched by priority). A TOF rule gives a row per
    /// direction it applies in, as the UE's packet reads: uplink source = UE, destination = the service address;
    /// downlink the other way round, the service's source being its serviceIP or its applicationIP (replies come
    /// from the application). A rule whose service is not registered gives no row.
    /// </summary>
    internal static TrafficRuleSnapshot Build(int generation, IReadOnlyList<TrafficRuleState> rules, Func<string, TofService?> service)
    {
        var ordered = rules.OrderByDescending(r => r.Rule.Priority).ThenBy(r => r.Name, StringComparer.Ordinal).ToArray();
        var offload = new TofService?[ordered.Length];
        var up4 = new List<ClassifierEntry>();
        var up6 = new List<ClassifierEntry>();
        var down4 = new List<ClassifierEntry>();
        var down6 = new List<ClassifierEntry>();
        var instances = new SortedDictionary<uint, (List<ClassifierEntry> V4, List<ClassifierEntry> V6)>();
        for (int i = 0; i < ordered.Length; i++)
        {
            var rule = ordered[i].Rule;
            offload[i] = rule.Actions.Offload is { } target ? service(target) : null;
            var match = rule.Match;
            if (rule.Scope == TrafficRuleScope.Instance)
            {
                if (!instances.TryGetValue(rule.InstanceId, out var lists))
                {
                    instances[rule.InstanceId] = lists = ([], []);
                }

                AddRows(i, match, match.Source, match.Destination, match.Family, lists.V4, lists.V6);
                continue;
            }

            IpPrefix[]? serviceAddresses = null;
            if (rule.Service is { } name)
            {
                if (service(name) is not { } registered)
                {
                    continue;
                }

                serviceAddresses = [Host(registered.ServiceIp), Host(registered.ApplicationIp)];
            }

            if (rule.Direction.HasFlag(TrafficDirections.Uplink))
            {
                var source = Narrow(match.Source, rule.Ue);
                foreach (var destination in serviceAddresses is null ? [match.Destination] : new IpPrefix?[] { serviceAddresses[0] })
                {
                    var narrowed = Narrow(match.Destination, destination);
                    AddRows(i, match, source, narrowed, FamilyOf(match, rule.Ue, destination), up4, up6);
                }
            }

            if (rule.Direction.HasFlag(TrafficDirections.Downlink))
            {
                var destination = Narrow(match.Destination, rule.Ue);
                foreach (var source in serviceAddresses is null ? [match.Source] : serviceAddresses.Select(a => (IpPrefix?)a).ToArray())
                {
                    var narrowed = Narrow(match.Source, source);
                    AddRows(i, match, narrowed, destination, FamilyOf(match, rule.Ue, source), down4, down6);
                }
            }
        }

        var tables = new Dictionary<uint, InstanceRuleTables>();
        int table = RuleTableId.FirstInstance;
        foreach (var (instance, lists) in instances)
        {
            tables[instance] = new InstanceRuleTables(Classifier(lists.V4, v6: false), table, Classifier(lists.V6, v6: true), table + 1);
            table += 2;
        }

        return new TrafficRuleSnapshot(generation, ordered, offload, Classifier(up4, false), Classifier(up6, true), Classifier(down4, false),
            Classifier(down6, true), tables.ToFrozenDictionary());
    }

    private static RuleClassifier? Classifier(List<ClassifierEntry> rows, bool v6) => rows.Count == 0 ? null : new RuleClassifier(rows, v6);

    private static IpPrefix Host(IpAddress address) => new(address, (byte)address.BitLength);

    private static IpFamily? FamilyOf(TrafficRuleMatch match, IpPrefix? ue, IpPrefix? extra) => match.Family ?? ue?.Family ?? extra?.Family;

    // The empty prefix: two prefixes that do not overlap narrow to nothing, and the row is left out.
    private static readonly IpPrefix Nothing = new(default, 255);

    /// <summary>The addresses in both prefixes (the longer one when nested); <see cref="Nothing"/> when disjoint or of two families.</summary>
    private static IpPrefix? Narrow(IpPrefix? a, IpPrefix? b)
    {
        if (a is not { } x)
        {
            return b;
        }

        if (b is not { } y)
        {
            return x;
        }

        if (x.Family != y.Family)
        {
            return Nothing;
        }

        if (x.Contains(y.Address) && y.Length >= x.Length)
        {
            return y;
        }

        return y.Contains(x.Address) && x.Length >= y.Length ? x : Nothing;
    }

    private static void AddRows(int rule, TrafficRuleMatch match, IpPrefix? source, IpPrefix? destination, IpFamily? family,
        List<ClassifierEntry> v4, List<ClassifierEntry> v6)
    {
        if (source is { Length: 255 } || destination is { Length: 255 })
        {
            return; // narrowed to nothing
        }

        if (family is null or IpFamily.V4)
        {
            v4.Add(Row(rule, match, source, destination, v6: false));
        }

        if (family is null or IpFamily.V6)
        {
            v6.Add(Row(rule, match, source, destination, v6: true));
        }
    }

    private static ClassifierEntry Row(int rule, TrafficRuleMatch match, IpPrefix? source, IpPrefix? destination, bool v6)
    {
        var fields = new FieldRange[RuleField.Count];
        for (int f = 0; f < RuleField.Count; f++)
        {
            fields[f] = RuleField.Any(f, v6);
        }

        if (source is { } s)
        {
            fields[RuleField.Source] = FieldRange.Of(s);
        }

        if (destination is { } d)
        {
            fields[RuleField.Destination] = FieldRange.Of(d);
        }

        if (match.Protocol is { } protocol)
        {
            fields[RuleField.Protocol] = new FieldRange(protocol, protocol);
        }

        if (match.SourcePorts is { } sourcePorts)
        {
            fields[RuleField.SourcePort] = sourcePorts;
        }

        if (match.DestinationPorts is { } destinationPorts)
        {
            fields[RuleField.DestinationPort] = destinationPorts;
        }

        if (match.Dscp is { } dscp)
        {
            fields[RuleField.Dscp] = new FieldRange(dscp, dscp);
        }

        return new ClassifierEntry(rule, fields);
    }
}
