using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;

namespace Dataplane.Forwarding.Vxlan;

/// <summary>The VXLAN VTEP (role "vtep"): the tables from the "vxlan" section, shared by every worker's <see cref="VxlanStage"/>.</summary>
public sealed class VxlanFeature(VxlanTables tables) : IForwardingFeature
{
    public int Order => StageOrder.Vxlan;

    public VxlanTables Tables { get; } = tables;

    /// <summary>The feature of a "vtep" configuration; its "vxlan" section is required and checked field by field.</summary>
    public static VxlanFeature Create(DataplaneConfig config, ForwardingPlane plane) =>
        new(VxlanTablesBuilder.Build(
            config.Vxlan ?? throw new ConfigurationException("vxlan", "role vtep needs a \"vxlan\" section"), plane.Ports, plane.LocalAddresses));

    public IBatchStage CreateStage(ForwardingPlane plane) => new VxlanStage(plane, Tables);

    public void ReclaimRetired()
    {
        // Nothing is retired: the MAC table reuses expired slots in place.
    }
}
