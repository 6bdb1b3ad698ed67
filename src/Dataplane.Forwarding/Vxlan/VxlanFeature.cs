using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;

namespace Dataplane.Forwarding.Vxlan;

/// <summary>
/// The VXLAN VTEP (role "vtep"): the tables from the "vxlan" section, shared by every worker's <see cref="VxlanStage"/>.
/// The control socket changes bridge domains, flood lists and static MACs at run time (<see cref="Update"/>): each
/// change builds a whole new immutable <see cref="VxlanTables"/> from the changed section and publishes it with one
/// reference write, so a worker sees the old tables or the new ones for a whole batch, never a mix.
/// </summary>
public sealed class VxlanFeature : IForwardingFeature
{
    private readonly ForwardingPlane plane;
    private VxlanTables tables;

    public VxlanFeature(VxlanConfig config, ForwardingPlane plane)
    {
        this.plane = plane;
        Config = config;
        tables = VxlanTablesBuilder.Build(config, plane.Ports, plane.LocalAddresses);
    }

    public int Order => StageOrder.Vxlan;

    /// <summary>The tables workers read now; a stage reads this once per batch.</summary>
    public VxlanTables Tables => Volatile.Read(ref tables);

    /// <summary>The "vxlan" section the current tables were built from, with every run-time change applied.</summary>
    public VxlanConfig Config { get; private set; }

    /// <summary>The feature of a "vtep" configuration; its "vxlan" section is required and checked field by field.</summary>
    public static VxlanFeature Create(DataplaneConfig config, ForwardingPlane plane) =>
        new(config.Vxlan ?? throw new ConfigurationException("vxlan", "role vtep needs a \"vxlan\" section"), plane);

    public IBatchStage CreateStage(ForwardingPlane plane) => new VxlanStage(plane, this);

    /// <summary>
    /// Builds tables from <paramref name="changed"/> and publishes them; throws <see cref="ConfigurationException"/>
    /// (naming the field) and changes nothing when the section is not valid. With <paramref name="keepLearned"/> the
    /// learned MACs carry over (domains and remote VTEPs keep their indexes: right for additions and static MACs);
    /// without it they start empty, so no learned MAC can point at a VTEP or a domain that was removed. The caller
    /// serialises updates (the control socket's mutation lock).
    /// </summary>
    public void Update(VxlanConfig changed, bool keepLearned)
    {
        var current = Tables;
        var next = VxlanTablesBuilder.Build(changed, plane.Ports, plane.LocalAddresses, keepLearned ? current : null);
        Config = changed;
        Volatile.Write(ref tables, next);
    }

    public void ReclaimRetired()
    {
        // Nothing to reclaim: replaced tables are plain managed objects, collected once no worker's batch holds them,
        // and the learned MAC table reuses expired slots in place.
    }
}
