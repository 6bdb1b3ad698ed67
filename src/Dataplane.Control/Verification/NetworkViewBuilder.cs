using Dataplane.Control.Socket;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Tof;
using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Verification;

/// <summary>
/// Collects from the built plane (its FIB, neighbours, LISP tables, GTP-U tunnels and TOF services, with the state
/// directory's entries in them) what the checks look at, each element with the JSON path it came from.
/// </summary>
public static class NetworkViewBuilder
{
    public static NetworkView Build(DataplaneConfig config, ForwardingPlane plane, ControlContext context, StateOrigins origins)
    {
        var (routes, replaced) = Routes(config, plane);
        var destinations = new List<Destination>();
        var applications = new List<ApplicationFact>();
        var local = new HashSet<IpAddress>(plane.LocalAddresses);
        if (context.LispTables is { } lisp)
        {
            foreach (var rloc in lisp.LocalDatabase.Rlocs)
            {
                local.Add(rloc.Address);
            }

            AddLisp(config, plane, lisp, origins, local, destinations);
        }

        AddVxlan(config, destinations);
        AddNsh(config, destinations);
        if (context.Tunnels is { } tunnels)
        {
            var configured = config.Gtpu?.Tunnels ?? [];
            foreach (var tunnel in tunnels.Snapshot.Tunnels.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                int index = IndexOf(configured, t => t.Name == tunnel.Name);
                string path = origins.PathOf("tunnel", tunnel.Name, index < 0 ? null : $"gtpu.tunnels[{index}]");
                destinations.Add(Destination.Host(path, FindingCodes.UnreachableGtpUPeer, $"GTP-U peer {tunnel.Peer} of tunnel '{tunnel.Name}'", tunnel.Peer));
            }
        }

        ushort? appsPort = null;
        if (plane.Feature<TofFeature>() is { } tof && config.Tof is { } section)
        {
            appsPort = tof.Settings.AppsPort;
            AddPeers(section.EnbAddresses, "tof.enbAddresses", FindingCodes.UnreachableGtpUPeer, "eNB", destinations);
            if (section.S1Port is not null)
            {
                AddPeers(section.SgwAddresses, "tof.sgwAddresses", FindingCodes.UnreachableGtpUPeer, "SGW", destinations);
            }

            foreach (var service in tof.Services.All.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                int index = IndexOf(section.Services, s => s.Name == service.Name);
                string path = origins.PathOf("service", service.Name, index < 0 ? null : $"tof.services[{index}]");
                foreach (var application in service.Applications) // every instance of a cluster must be reachable, not only the first
                {
                    destinations.Add(Destination.Host(path, FindingCodes.UnreachableApplication, $"application {application.Ip} of service '{service.Name}'", application.Ip));
                    applications.Add(new ApplicationFact(path, service.Name, application.Ip));
                }
            }
        }

        var rules = new List<RuleFacts>();
        var ruleIndex = FirstIndexes(config.TrafficRules, r => r.Name);
        foreach (var rule in plane.TrafficRules.Definitions)
        {
            string path = origins.PathOf("rule", rule.Name, ruleIndex.TryGetValue(rule.Name, out int index) ? $"trafficRules[{index}]" : null);
            rules.Add(TrafficRuleFacts.From(rule, path));
        }

        return new NetworkView
        {
            Ports = plane.Ports,
            Fib = plane.Fib,
            Routes = routes,
            ReplacedRoutes = replaced,
            Neighbours = plane.Neighbours.Snapshot,
            LocalAddresses = local,
            Destinations = destinations,
            Applications = applications,
            AppsPort = appsPort,
            Rules = rules,
        };
    }

    /// <summary>The configuration's routes as the FIB holds them: one per prefix, the last given (the others are replaced).</summary>
    private static (List<RouteFact> Routes, List<(RouteFact, RouteFact)> Replaced) Routes(DataplaneConfig config, ForwardingPlane plane)
    {
        var facts = new List<RouteFact>();
        for (int i = 0; i < config.Routes.Count; i++)
        {
            var route = config.Routes[i];
            string path = $"routes[{i}]";
            var prefix = ConfigValues.Prefix(route.Prefix, $"{path}.prefix");
            IpAddress? nextHop = route.NextHop is null ? null : ConfigValues.Ip(route.NextHop, $"{path}.nextHop");
            facts.Add(new RouteFact(path, new Route(prefix, nextHop, ForwardingPlaneBuilder.PortNamed(plane.Ports, route.Port, $"{path}.port").Id)));
        }

        var last = new Dictionary<EidPrefix, RouteFact>();
        foreach (var fact in facts)
        {
            last[fact.Route.Prefix] = fact;
        }

        var replaced = facts.Where(f => !ReferenceEquals(last[f.Route.Prefix], f)).Select(f => (f, last[f.Route.Prefix])).ToList();
        return (facts.Where(f => ReferenceEquals(last[f.Route.Prefix], f)).ToList(), replaced);
    }

    private static void AddLisp(DataplaneConfig config, ForwardingPlane plane, Forwarding.Lisp.LispTables lisp, StateOrigins origins, HashSet<IpAddress> local,
        List<Destination> destinations)
    {
        var section = config.Lisp ?? new LispConfig();
        if (plane.HasRole(DataplaneRoles.LispDecapsulating))
        {
            var eidIndex = FirstIndexes(section.LocalEids, text => EidPrefix.TryParse(text, out var p) ? p : (EidPrefix?)null);
            foreach (var eid in lisp.LocalDatabase.EidPrefixes.ToArray().OrderBy(e => e, Comparer<EidPrefix>.Create(LispMethods.ComparePrefixes)))
            {
                int index = eidIndex.TryGetValue(eid, out int i) ? i : -1;
                string key = eid.ToString();
                string path = origins.PathOf("localeid", key, index < 0 ? null : $"lisp.localEids[{index}]");
                destinations.Add(new Destination(path, FindingCodes.UnreachableEid, $"local EID {key}", eid));
            }
        }

        if (plane.HasRole(DataplaneRoles.LispEncapsulating))
        {
            var entryIndex = FirstIndexes(section.MapCache, e => EidPrefix.TryParse(e.Eid, out var p) ? p : (EidPrefix?)null);
            foreach (var entry in LispMethods.MapCacheEntries(lisp))
            {
                string key = entry.Prefix.ToString();
                int index = entryIndex.TryGetValue(entry.Prefix, out int i) ? i : -1;
                string entryPath = origins.PathOf("mapcache", key, index < 0 ? null : $"lisp.mapCache[{index}]");
                var locators = entry.Locators;
                for (int j = 0; j < locators.Length; j++)
                {
                    var locator = locators[j];
                    if (!locator.IsUsable || local.Contains(locator.Address))
                    {
                        continue;
                    }

                    string path = entryPath.StartsWith("state:", StringComparison.Ordinal) ? entryPath : $"{entryPath}.locators[{j}]";
                    destinations.Add(Destination.Host(path, FindingCodes.UnreachableRloc, $"RLOC {locator.Address} of map-cache entry {key}", locator.Address));
                }
            }
        }

        AddPeers(section.MapResolvers, "lisp.mapResolvers", FindingCodes.UnreachableMappingSystem, "map-resolver", destinations);
        for (int i = 0; i < section.MapServers.Count; i++)
        {
            if (IpAddress.TryParse(section.MapServers[i].Address, out var address))
            {
                destinations.Add(Destination.Host($"lisp.mapServers[{i}]", FindingCodes.UnreachableMappingSystem, $"map-server {address}", address));
            }
        }
    }

    private static void AddVxlan(DataplaneConfig config, List<Destination> destinations)
    {
        if (config.Vxlan is not { } vxlan || !config.Roles.Contains("vtep"))
        {
            return;
        }

        for (int i = 0; i < vxlan.BridgeDomains.Count; i++)
        {
            AddPeers(vxlan.BridgeDomains[i].RemoteVteps, $"vxlan.bridgeDomains[{i}].remoteVteps", FindingCodes.UnreachableVtep, "remote VTEP", destinations, $" of VNI {vxlan.BridgeDomains[i].Vni}");
        }

        for (int i = 0; i < vxlan.L3Vnis.Count; i++)
        {
            var routes = vxlan.L3Vnis[i].Routes;
            for (int j = 0; j < routes.Count; j++)
            {
                if (IpAddress.TryParse(routes[j].Vtep, out var vtep))
                {
                    destinations.Add(Destination.Host($"vxlan.l3Vnis[{i}].routes[{j}]", FindingCodes.UnreachableVtep, $"remote VTEP {vtep} of L3 VNI {vxlan.L3Vnis[i].Vni}", vtep));
                }
            }
        }
    }

    /// <summary>NSH service functions over VXLAN-GPE are reached through the underlay; Ethernet ones sit on a named port.</summary>
    private static void AddNsh(DataplaneConfig config, List<Destination> destinations)
    {
        var functions = config.Nsh?.ServiceFunctions ?? [];
        for (int i = 0; i < functions.Count; i++)
        {
            if (functions[i].Transport == "vxlan-gpe" && IpAddress.TryParse(functions[i].Address, out var address))
            {
                destinations.Add(Destination.Host($"nsh.serviceFunctions[{i}]", FindingCodes.UnreachableServiceFunction,
                    $"service function '{functions[i].Name}' at {address}", address));
            }
        }
    }

    private static void AddPeers(IReadOnlyList<string> addresses, string field, string code, string what, List<Destination> destinations, string detail = "")
    {
        for (int i = 0; i < addresses.Count; i++)
        {
            if (IpAddress.TryParse(addresses[i], out var address))
            {
                destinations.Add(Destination.Host($"{field}[{i}]", code, $"{what} {address}{detail}", address));
            }
        }
    }

    /// <summary>Each key's first position in <paramref name="items"/> (items without a key are left out).</summary>
    private static Dictionary<TKey, int> FirstIndexes<T, TKey>(IReadOnlyList<T> items, Func<T, TKey?> key)
        where TKey : struct
    {
        var indexes = new Dictionary<TKey, int>();
        for (int i = 0; i < items.Count; i++)
        {
            if (key(items[i]) is { } k)
            {
                indexes.TryAdd(k, i);
            }
        }

        return indexes;
    }

    private static Dictionary<string, int> FirstIndexes<T>(IReadOnlyList<T> items, Func<T, string?> key)
    {
        var indexes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < items.Count; i++)
        {
            if (key(items[i]) is { } k)
            {
                indexes.TryAdd(k, i);
            }
        }

        return indexes;
    }

    private static int IndexOf<T>(IReadOnlyList<T> items, Func<T, bool> match)
    {
        for (int i = 0; i < items.Count; i++)
        {
            if (match(items[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
