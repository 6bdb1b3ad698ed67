using Dataplane.Forwarding.Counters;

namespace Dataplane.Forwarding.Routing;

public static class ResolveResults
{
    /// <summary>The drop reason a failed resolution stands for; None when it resolved.</summary>
    public static DropReason AsDropReason(this ResolveResult result) => result switch
    {
        ResolveResult.Resolved => DropReason.None,
        ResolveResult.NoRoute => DropReason.NoRoute,
        _ => DropReason.NoNeighbour,
    };
}
