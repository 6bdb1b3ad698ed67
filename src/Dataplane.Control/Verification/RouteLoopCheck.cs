using Dataplane.Forwarding.Routing;

namespace Dataplane.Control.Verification;

/// <summary>
/// Forwarding loops the FIB itself makes. A route whose next hop is one of our own addresses sends its packets back to
/// us, and they take the same route again until their TTL runs out. Next hops are followed through the FIB: a next hop
/// covered by a route through another gateway is reached through that gateway, and a chain that comes back to a route
/// already on it goes round for ever. A next hop covered by a connected route, by its own route (a default route
/// through a gateway inside it) or by none is on the link of the route's port, as the routing stage treats every next
/// hop: the chain ends there. Two routes for one prefix are reported too: the later replaces the earlier.
/// </summary>
public static class RouteLoopCheck
{
    public static void Run(NetworkView view, List<VerificationFinding> findings)
    {
        foreach (var (replaced, by) in view.ReplacedRoutes)
        {
            findings.Add(VerificationFinding.Warning(FindingCodes.DuplicateRoute, replaced.Path,
                $"{replaced.Path} ({replaced.Route.Prefix}) is replaced by {by.Path}, a later route for the same prefix."));
        }

        for (int i = 0; i < view.Routes.Count; i++)
        {
            var fact = view.Routes[i];
            if (fact.Route.NextHop is not { } nextHop)
            {
                continue;
            }

            if (view.LocalAddresses.Contains(nextHop))
            {
                findings.Add(VerificationFinding.Error(FindingCodes.RouteLoop, fact.Path,
                    $"{fact.Path} sends {fact.Route.Prefix} out of port '{view.PortName(fact.Route.Port)}' to next hop {nextHop}, which is our own address: the packets come back and take the same route until their TTL runs out."));
                continue;
            }

            if (Cycle(view, fact) is { } cycle && cycle[0] == fact)
            {
                string chain = string.Join(" -> ", cycle.Append(cycle[0]).Select(r => $"{r.Path} ({r.Route.Prefix} via {r.Route.NextHop})"));
                findings.Add(VerificationFinding.Error(FindingCodes.RouteLoop, fact.Path,
                    $"the next hops of {cycle.Count} routes resolve through each other and never reach a link: {chain}."));
            }
        }
    }

    /// <summary>
    /// The circle of routes the next-hop chain from <paramref name="start"/> runs into, beginning with its first route
    /// in configuration order (so each circle is reported once, at that route); null when the chain ends.
    /// </summary>
    private static List<RouteFact>? Cycle(NetworkView view, RouteFact start)
    {
        var chain = new List<RouteFact> { start };
        var current = start;
        for (int step = 0; step <= view.Routes.Count; step++)
        {
            var nextHop = current.Route.NextHop!.Value;
            if (!view.Fib.TryLookup(current.Route.Prefix.InstanceId, nextHop, out var covering) || covering is null
                || covering.NextHop is null || covering.Prefix == current.Route.Prefix)
            {
                return null;
            }

            var next = view.Routes.First(r => r.Route.Prefix == covering.Prefix);
            int seen = chain.IndexOf(next);
            if (seen >= 0)
            {
                var circle = chain.GetRange(seen, chain.Count - seen);
                int first = circle.Select(r => IndexOf(view, r)).Select((index, position) => (index, position)).Min().position;
                return [.. circle.Skip(first), .. circle.Take(first)];
            }

            chain.Add(next);
            current = next;
        }

        return null;
    }

    private static int IndexOf(NetworkView view, RouteFact fact)
    {
        for (int i = 0; i < view.Routes.Count; i++)
        {
            if (ReferenceEquals(view.Routes[i], fact))
            {
                return i;
            }
        }

        return int.MaxValue;
    }
}
