using System.Text.Json.Nodes;
using Dataplane.Control.Socket;

namespace Dataplane.Control.State;

/// <summary>
/// The whole rule state as one JSON object: map-cache, local EIDs, local RLOCs' priorities and weights, static neighbours, tunnels, TOF services, VXLAN
/// bridge domains (ports, flood list, static MACs) NSH service functions and paths, and traffic rules.
/// Every array is sorted by its key and every object's keys are sorted, so two dumps of equal state are byte-identical
/// (that is what the persistence tests compare). Map-cache entries carry their configured TTL, not the remaining one,
/// for the same reason. Each entry has the shape of the matching *.add method's params, so a dump can be replayed.
/// </summary>
public static class RuleStateDump
{
    public static JsonObject Build(ControlContext context)
    {
        var lisp = context.LispTables;
        return new JsonObject
        {
            ["mapCache"] = lisp is null
                ? new JsonArray()
                : new JsonArray(LispMethods.MapCacheEntries(lisp).Select(e => (JsonNode)LispMethods.Describe(e, context.Clock, withRemaining: false)).ToArray()),
            ["localEids"] = lisp is null ? new JsonArray() : new JsonArray(LispMethods.LocalEids(lisp.LocalDatabase).Select(e => (JsonNode)JsonValue.Create(e)).ToArray()),
            ["localRlocs"] = lisp is null ? new JsonArray() : LispMethods.LocalRlocs(lisp.LocalDatabase),
            ["neighbours"] = new JsonArray(NeighbourMethods.List(context, staticOnly: true).ToArray()),
            ["services"] = context.TofServices is { } services ? new JsonArray(TofMethods.Dump(services).ToArray()) : new JsonArray(),
            ["tunnels"] = context.Tunnels is { } tunnels ? new JsonArray(TunnelMethods.List(tunnels).ToArray()) : new JsonArray(),
            ["vxlanDomains"] = VxlanTableMethods.Domains(context),
            ["nshFunctions"] = NshMethods.Functions(context.Plane.Feature<Dataplane.Forwarding.Nsh.NshFeature>()),
            ["nshPaths"] = NshMethods.Paths(context.Plane.Feature<Dataplane.Forwarding.Nsh.NshFeature>(), withCounters: false),
            ["trafficRules"] = RuleMethods.Dump(context.Plane.TrafficRules),
        };
    }

    public static string Serialize(ControlContext context) => CanonicalJson.Serialize(Build(context));
}
