using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;
using Dataplane.Forwarding.Tof;

namespace Dataplane.Forwarding.Rules;

/// <summary>
/// Traffic rules (docs/configuration/traffic-rules.md): owns the plane's <see cref="TrafficRuleTable"/>, loaded from
/// the configuration's <c>trafficRules</c>, and gives each worker an <see cref="InstanceRuleStage"/> only when an
/// instance rule exists as the worker is built (after the persisted state is restored), so a plane without instance
/// rules has no such stage in its graph at all. TOF rules are applied by the TOF's own stage.
/// </summary>
public sealed class TrafficRuleFeature : IForwardingFeature, IOptionalStageFeature
{
    private int workers;

    private TrafficRuleFeature(TrafficRuleTable table)
    {
        Table = table;
    }

    public TrafficRuleTable Table { get; }

    public int Order => StageOrder.InstanceRules;

    public bool WantsStage
    {
        get
        {
            if (Table.HasInstanceRules)
            {
                return true;
            }

            Table.WorkersBuiltWithoutInstanceStage();
            return false;
        }
    }

    /// <summary>Reads and checks <c>trafficRules</c> (every error names its field) and sets <see cref="ForwardingPlane.TrafficRules"/>.</summary>
    public static TrafficRuleFeature Create(DataplaneConfig config, ForwardingPlane plane, TofServiceTable? services)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(plane);
        var limits = TrafficRuleConfigReader.Limits(config.TrafficRuleLimits);
        Func<string, bool>? serviceExists = services is null ? null : name => services.TryGet(name, out _);
        var reader = new TrafficRuleConfigReader(serviceExists, TrafficRuleConfigReader.L3Vnis(config));
        var table = new TrafficRuleTable(reader, limits, config.Workers, plane.Options.Clock, services);
        table.Load(reader.ReadAll(config.TrafficRules, limits.MaxRules));
        plane.TrafficRules = table;
        return new TrafficRuleFeature(table);
    }

    public IBatchStage CreateStage(ForwardingPlane plane) =>
        new InstanceRuleStage(Table, plane.Options.Clock, Interlocked.Increment(ref workers) - 1, plane.Feature<Nsh.NshFeature>()?.CreateForwarder());

    public void ReclaimRetired()
    {
    }
}
