using Dataplane.Control.Rest;

namespace Dataplane.Tests.Control.Rest;

/// <summary>Stands in for the TOF feature's learned tunnels.</summary>
public sealed class FakeTunnelSource(params TofTunnelView[] tunnels) : ITofTunnelSource
{
    public IReadOnlyList<TofTunnelView> List() => tunnels;
}
