using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Tof;
using Dataplane.Tables.Time;

namespace Dataplane.Forwarding.Rules;

/// <summary>
/// The traffic rules of a plane (docs/configuration/traffic-rules.md): the definitions, and the compiled
/// <see cref="TrafficRuleSnapshot"/> the workers read lock-free once per batch (<see cref="Current"/>, null when there
/// is no rule, so a stage with nothing to match pays one null test per batch). Writers (configuration, control
/// socket, REST API, reload) serialise on a lock, compile a new snapshot and publish it with one reference write.
/// A rule whose definition is unchanged keeps its counters and buckets across changes of other rules.
/// </summary>
public sealed class TrafficRuleTable
{
    private readonly Lock writeLock = new();
    private readonly int workers;
    private readonly IMonotonicClock clock;
    private readonly TofServiceTable? services;
    private List<TrafficRuleState> rules = [];
    private IReadOnlyList<TofService>? compiledServices;
    private TrafficRuleSnapshot? current;
    private int generation;

    public TrafficRuleTable(TrafficRuleConfigReader reader, TrafficRuleLimitsConfig limits, int workers, IMonotonicClock clock, TofServiceTable? services)
    {
        Reader = reader;
        Limits = limits;
        this.workers = workers;
        this.clock = clock;
        this.services = services;
    }

    /// <summary>What checks rules for this plane (services and L3 VNIs it knows).</summary>
    public TrafficRuleConfigReader Reader { get; }

    public TrafficRuleLimitsConfig Limits { get; }

    /// <summary>The published rule set, null when there is none. Read once per batch.</summary>
    public TrafficRuleSnapshot? Current => Volatile.Read(ref current);

    /// <summary>Every rule, highest priority first (scope tof, then instance rules by instance).</summary>
    public IReadOnlyList<TrafficRuleState> All
    {
        get
        {
            lock (writeLock)
            {
                return [.. rules.OrderBy(r => r.Rule.Scope).ThenBy(r => r.Rule.InstanceId).ThenByDescending(r => r.Rule.Priority)];
            }
        }
    }

    /// <summary>The rule definitions, for an analysis (shadowing, overlaps): priority, scope and match of each.</summary>
    public IReadOnlyList<TrafficRule> Definitions => [.. All.Select(r => r.Rule)];

    public bool HasInstanceRules
    {
        get
        {
            lock (writeLock)
            {
                return rules.Exists(r => r.Rule.Scope == TrafficRuleScope.Instance);
            }
        }
    }

    /// <summary>
    /// False once workers were built without the instance stage (no instance rule when they started): an instance
    /// rule could then never apply, so it is refused (<see cref="InstanceRuleProblem"/>).
    /// </summary>
    public bool InstanceStageAvailable { get; private set; } = true;

    internal void WorkersBuiltWithoutInstanceStage() => InstanceStageAvailable = false;

    /// <summary>Why <paramref name="rule"/> cannot be added now, or null.</summary>
    public string? InstanceRuleProblem(TrafficRule rule) =>
        rule.Scope == TrafficRuleScope.Instance && !InstanceStageAvailable
            ? "instance rules apply only when the data plane starts with one (trafficRules or the persisted state): the workers run without the instance stage; add the rule to trafficRules and restart"
            : null;

    public bool TryGet(string name, out TrafficRuleState state)
    {
        lock (writeLock)
        {
            state = rules.Find(r => r.Name == name)!;
            return state is not null;
        }
    }

    /// <summary>Replaces the whole set (the configuration at start); the rules must have been checked together.</summary>
    public void Load(IReadOnlyList<TrafficRule> definitions)
    {
        lock (writeLock)
        {
            rules = [.. definitions.Select(Reuse)];
            Publish();
        }
    }

    /// <summary>Adds a rule; false with the reason (a taken name or priority, the limit, no instance stage).</summary>
    public bool TryAdd(TrafficRule rule, out string problem) => TryPut(rule, replacing: null, out problem);

    /// <summary>Replaces the rule named <paramref name="name"/> with <paramref name="rule"/> (which may be named otherwise).</summary>
    public bool TryReplace(string name, TrafficRule rule, out string problem) => TryPut(rule, replacing: name, out problem);

    public bool TryRemove(string name, out TrafficRule removed)
    {
        lock (writeLock)
        {
            int index = rules.FindIndex(r => r.Name == name);
            removed = index < 0 ? null! : rules[index].Rule;
            if (index < 0)
            {
                return false;
            }

            rules = [.. rules.Where((_, i) => i != index)];
            Publish();
            return true;
        }
    }

    /// <summary>Removes every rule; returns how many there were.</summary>
    public int Clear()
    {
        lock (writeLock)
        {
            int count = rules.Count;
            rules = [];
            Publish();
            return count;
        }
    }

    /// <summary>Why <paramref name="rule"/> could not join the set (replacing <paramref name="replacing"/>), or null; the field is relative ("name", "priority").</summary>
    public (string Field, string Problem)? Problem(TrafficRule rule, string? replacing)
    {
        lock (writeLock)
        {
            if (replacing is not null && !rules.Exists(r => r.Name == replacing))
            {
                return ("name", $"no rule named '{replacing}'");
            }

            if (TrafficRuleConfigReader.Conflict(rules.Select(r => r.Rule), rule, replacing) is { } conflict)
            {
                return (conflict.Field("").TrimStart('.'), conflict.Problem);
            }

            if (replacing is null && rules.Count >= Limits.MaxRules)
            {
                return ("name", $"the rule set is full ({Limits.MaxRules} rules, trafficRuleLimits.maxRules)");
            }

            return InstanceRuleProblem(rule) is { } stage ? ("scope", stage) : null;
        }
    }

    /// <summary>
    /// Compiles again when the TOF's services changed since the last compile (a rule's service or offload target
    /// moved, came or went). The control thread calls it; cheap when nothing changed.
    /// </summary>
    public void Refresh()
    {
        if (services is null || ReferenceEquals(services.All, Volatile.Read(ref compiledServices)))
        {
            return;
        }

        lock (writeLock)
        {
            Publish();
        }
    }

    private bool TryPut(TrafficRule rule, string? replacing, out string problem)
    {
        lock (writeLock)
        {
            if (Problem(rule, replacing) is { } found)
            {
                problem = $"{found.Field}: {found.Problem}";
                return false;
            }

            var kept = replacing is null ? rules : [.. rules.Where(r => r.Name != replacing)];
            rules = [.. kept, Reuse(rule)];
            Publish();
            problem = "";
            return true;
        }
    }

    /// <summary>The state of an unchanged rule carries on; a new or changed rule starts with fresh counters and buckets.</summary>
    private TrafficRuleState Reuse(TrafficRule rule)
    {
        var existing = rules.Find(r => r.Name == rule.Name);
        return existing is not null && existing.Rule == rule ? existing : new TrafficRuleState(rule, workers, clock.Frequency, clock.Now, Limits.UesPerRule);
    }

    private void Publish()
    {
        var serviceList = services?.All;
        Volatile.Write(ref compiledServices, serviceList);
        if (rules.Count == 0)
        {
            Volatile.Write(ref current, null);
            return;
        }

        generation++;
        Volatile.Write(ref current, TrafficRuleSnapshot.Build(generation, rules, Find));

        TofService? Find(string name) => serviceList?.FirstOrDefault(s => s.Name == name);
    }
}
