using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Verification;

/// <summary>
/// Forwarding loops the FIB itself makes, and next hops off the link of their route. A route whose next hop is one of
/// our own addresses sends its packets back to us, and they take the same route again until their TTL runs out. Next
/// hops are followed through the FIB: a next hop covered by a route through another gateway is reached through that
/// gateway, and a chain that comes back to a route already on it goes round for ever. A next hop covered by a
/// connected route, by its own route (a default route through a gateway inside it), by a route through that very next
/// hop, or by none is on the link of the
/// route's port, as the routing stage treats every next hop: the chain ends there. A next hop reached through another
/// gateway without a circle is a warning: the routing stage does not resolve next hops recursively, it asks for the
/// next hop's own MAC on the route's port. Two routes for one prefix are reported too: the later replaces the earlier.
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

        // Each gateway route leads to at most one other route (the one its next hop resolves through): a functional
        // graph, whose circles are found in one pass by colouring (0 unseen, 1 on the current walk, 2 done).
        int count = view.Routes.Count;
        var indexOf = new Dictionary<EidPrefix, int>(count);
        for (int i = 0; i < count; i++)
        {
            indexOf[view.Routes[i].Route.Prefix] = i;
        }

        var next = new int[count];
        for (int i = 0; i < count; i++)
        {
            next[i] = Successor(view, i, indexOf, findings);
        }

        var colour = new byte[count];
        var inCircle = new bool[count];
        var walk = new List<int>();
        for (int start = 0; start < count; start++)
        {
            walk.Clear();
            int at = start;
            while (at >= 0 && colour[at] == 0)
            {
                colour[at] = 1;
                walk.Add(at);
                at = next[at];
            }

            if (at >= 0 && colour[at] == 1)
            {
                var circle = walk.GetRange(walk.IndexOf(at), walk.Count - walk.IndexOf(at));
                circle.ForEach(r => inCircle[r] = true);
                int first = circle.IndexOf(circle.Min());
                var ordered = circle.Skip(first).Concat(circle.Take(first)).Select(r => view.Routes[r]).ToList();
                string chain = string.Join(" -> ", ordered.Append(ordered[0]).Select(r => $"{r.Path} ({r.Route.Prefix} via {r.Route.NextHop})"));
                findings.Add(VerificationFinding.Error(FindingCodes.RouteLoop, ordered[0].Path,
                    $"the next hops of {ordered.Count} routes resolve through each other and never reach a link: {chain}."));
            }

            foreach (int r in walk)
            {
                colour[r] = 2;
            }
        }

        for (int i = 0; i < count; i++)
        {
            if (next[i] >= 0 && !inCircle[i])
            {
                var fact = view.Routes[i];
                var through = view.Routes[next[i]];
                findings.Add(VerificationFinding.Warning(FindingCodes.NextHopNotOnLink, fact.Path,
                    $"{fact.Path}'s next hop {fact.Route.NextHop} is itself routed through {through.Path} ({through.Route.Prefix} via {through.Route.NextHop}), but next hops are not resolved recursively: it is asked for by ARP / ND on port '{view.PortName(fact.Route.Port)}', and answers only if it is on that link after all."));
            }
        }
    }

    /// <summary>
    /// The route the next hop of route <paramref name="i"/> resolves through, when that is another gateway route; -1
    /// when the chain ends there (no next hop, a next hop on the link, or our own address, which is reported here).
    /// </summary>
    private static int Successor(NetworkView view, int i, Dictionary<EidPrefix, int> indexOf, List<VerificationFinding> findings)
    {
        var fact = view.Routes[i];
        if (fact.Route.NextHop is not { } nextHop)
        {
            return -1;
        }

        if (view.LocalAddresses.Contains(nextHop))
        {
            findings.Add(VerificationFinding.Error(FindingCodes.RouteLoop, fact.Path,
                $"{fact.Path} sends {fact.Route.Prefix} out of port '{view.PortName(fact.Route.Port)}' to next hop {nextHop}, which is our own address: the packets come back and take the same route until their TTL runs out."));
            return -1;
        }

        if (!view.Fib.TryLookup(fact.Route.Prefix.InstanceId, nextHop, out var covering) || covering is null
            || covering.NextHop is null || covering.NextHop == nextHop || covering.Prefix == fact.Route.Prefix
            || !indexOf.TryGetValue(covering.Prefix, out int successor))
        {
            return -1;
        }

        return successor;
    }
}
