using Dataplane.Forwarding.Routing;
using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Verification;

/// <summary>
/// Every destination the configuration relies on is reachable: a FIB route in its instance covers it (for a local EID
/// prefix, the whole prefix), and the route's next hop (or, for a connected route, the destination itself) has a
/// static neighbour, or the route's port has an address of the next hop's family to ask for it by ARP / ND at run time
/// (a warning for a next hop, since nothing answers it before traffic flows; nothing for the hosts of a connected EID
/// prefix, which are always found that way). A port without such an address can never learn the MAC: an error.
/// </summary>
public static class ReachabilityCheck
{
    public static void Run(NetworkView view, List<VerificationFinding> findings)
    {
        var warned = new HashSet<(string, IpAddress)>();
        foreach (var destination in view.Destinations)
        {
            if (!TryRoute(view, destination, out var route, out string? unreachable))
            {
                findings.Add(VerificationFinding.Error(destination.Code, destination.Path, $"{destination.What} {unreachable}."));
                continue;
            }

            string routePath = view.PathOf(route);
            string portName = view.PortName(route.Port);
            if (!view.Ports.TryGet(route.Port, out var port))
            {
                findings.Add(VerificationFinding.Error(destination.Code, destination.Path, $"{destination.What} is routed by {routePath} out of port #{route.Port}, which does not exist."));
                continue;
            }

            var nextHop = route.NextHop ?? destination.Prefix.Address;
            bool hostNeighbour = route.NextHop is not null || destination.IsHost;
            if (view.Neighbours.TryGetValue(nextHop, out var neighbour))
            {
                if (hostNeighbour && neighbour.Port != route.Port && warned.Add((routePath + " port", nextHop)))
                {
                    findings.Add(VerificationFinding.Warning(FindingCodes.NeighbourOnOtherPort, routePath,
                        $"{routePath} sends {destination.What} out of port '{portName}', but the static neighbour {nextHop} is on port '{view.PortName(neighbour.Port)}'."));
                }

                continue;
            }

            if (!port.Addresses.Any(a => a.Family == nextHop.Family))
            {
                string protocol = nextHop.IsV4 ? "ARP" : "neighbour discovery";
                string whom = hostNeighbour ? $"next hop {nextHop}" : "its hosts";
                findings.Add(VerificationFinding.Error(destination.Code, destination.Path,
                    $"{destination.What} is routed by {routePath} out of port '{portName}', which has no {FamilyName(nextHop)} address to ask for {whom} by {protocol}, and {(hostNeighbour ? $"{nextHop} has" : "they have")} no static neighbour."));
                continue;
            }

            if (hostNeighbour && warned.Add((routePath, nextHop)))
            {
                findings.Add(VerificationFinding.Warning(FindingCodes.NeighbourResolvedAtRunTime, routePath,
                    $"{routePath} reaches {destination.What} through {nextHop}, which has no static neighbour: its MAC is asked for by {(nextHop.IsV4 ? "ARP" : "neighbour discovery")} on port '{portName}' when traffic comes."));
            }
        }
    }

    /// <summary>The route a destination takes; for a prefix, the most specific route that covers all of it.</summary>
    private static bool TryRoute(NetworkView view, Destination destination, out Route route, out string? unreachable)
    {
        var prefix = destination.Prefix;
        unreachable = null;
        route = null!;
        if (destination.IsHost)
        {
            if (view.Fib.TryLookup(prefix.InstanceId, prefix.Address, out var found) && found is not null)
            {
                route = found;
                return true;
            }

            unreachable = $"has no route in instance {prefix.InstanceId}";
            return false;
        }

        // The FIB's longest match for the prefix's first address covers the whole prefix when it is no longer than it,
        // and is then the most specific route that does; only when a more specific route sits inside the prefix are
        // the routes scanned.
        if (view.Fib.TryLookup(prefix.InstanceId, prefix.Address, out var longest) && longest is not null && longest.Prefix.PrefixLength <= prefix.PrefixLength)
        {
            route = longest;
            return true;
        }

        RouteFact? covering = null;
        RouteFact? inside = null;
        foreach (var fact in view.Routes)
        {
            var candidate = fact.Route.Prefix;
            if (candidate.Covers(prefix) && (covering is null || candidate.PrefixLength > covering.Route.Prefix.PrefixLength))
            {
                covering = fact;
            }
            else if (inside is null && prefix.Covers(candidate))
            {
                inside = fact;
            }
        }

        if (covering is not null)
        {
            // More specific routes inside the prefix may take parts of it; the covering route takes the rest.
            route = covering.Route;
            return true;
        }

        unreachable = inside is null
            ? $"has no route in instance {prefix.InstanceId}"
            : $"is only partly routed in instance {prefix.InstanceId} ({inside.Path} covers {inside.Route.Prefix}, nothing covers the rest)";
        return false;
    }

    private static string FamilyName(IpAddress address) => address.IsV4 ? "IPv4" : "IPv6";
}
