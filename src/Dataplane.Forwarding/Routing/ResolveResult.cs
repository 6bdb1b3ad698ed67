namespace Dataplane.Forwarding.Routing;

/// <summary>How <see cref="Fib.TryResolve"/> went: an adjacency, or why there is none (each maps to a drop reason).</summary>
public enum ResolveResult : byte
{
    Resolved = 0,
    NoRoute,
    NoNeighbour,
}
