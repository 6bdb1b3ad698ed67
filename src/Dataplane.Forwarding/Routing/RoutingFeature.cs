using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;

namespace Dataplane.Forwarding.Routing;

/// <summary>Native forwarding by the FIB; present in every configuration, and run last.</summary>
public sealed class RoutingFeature : IForwardingFeature
{
    public int Order => StageOrder.Routing;

    public IBatchStage CreateStage(ForwardingPlane plane) => new RoutingStage(plane);

    public void ReclaimRetired()
    {
        // The FIB is the plane's, reclaimed by ForwardingPlane.ReclaimRetired.
    }
}
