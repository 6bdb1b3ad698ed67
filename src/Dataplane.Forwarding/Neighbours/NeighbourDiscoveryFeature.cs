using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;

namespace Dataplane.Forwarding.Neighbours;

/// <summary>ARP and IPv6 neighbour discovery for our own addresses; present in every configuration, run first.</summary>
public sealed class NeighbourDiscoveryFeature : IForwardingFeature
{
    public int Order => StageOrder.NeighbourDiscovery;

    public IBatchStage CreateStage(ForwardingPlane plane) => new NeighbourDiscoveryStage(plane);

    public void ReclaimRetired()
    {
        // The neighbour table is copy-on-write, reclaimed by the GC.
    }
}
