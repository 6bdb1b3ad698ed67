using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Control.Socket;
using Dataplane.Control.State;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Tof;

namespace Dataplane.Control.Reload;

/// <summary>One control-method call a reload makes, as an operator would make it over the socket.</summary>
public sealed record RuleChange(string Method, JsonObject Params);

/// <summary>
/// The rule-state difference between two configuration files, as control-method calls: removals first (so a name or
/// address freed by one entry can be taken by another), then additions and changes. Each file's rule state is read
/// the way <c>state.dump</c> shows it, from a plane built from that file alone: so the difference is the files',
/// not the file's against the live tables, and what operators changed over the socket stays unless the file changed
/// that same entry.
/// </summary>
public static class RuleChanges
{
    /// <summary>The rule state <paramref name="config"/> alone gives (the <c>state.dump</c> shape); throws <see cref="ConfigurationException"/> as the daemon's start would.</summary>
    public static JsonObject RulesOf(DataplaneConfig config)
    {
        var plane = ForwardingPlaneBuilder.Build(config, new ForwardingPlaneOptions());
        var methods = new ControlMethods(plane);
        methods.Context.TofServices = plane.Feature<TofFeature>()?.Services;
        return RuleStateDump.Build(methods.Context);
    }

    public static IReadOnlyList<RuleChange> Between(JsonObject before, JsonObject after)
    {
        var removals = new List<RuleChange>();
        var additions = new List<RuleChange>();
        Table(before, after, "mapCache", e => e["eid"]!.ToString(), k => Remove("mapcache.remove", "eid", k), e => Add("mapcache.add", e), removals, additions);
        Table(before, after, "localEids", e => e.GetValue<string>(), k => Remove("localeid.remove", "eid", k), e => Remove("localeid.add", "eid", e.GetValue<string>()), removals, additions);
        Table(before, after, "neighbours", e => e["address"]!.ToString(), k => Remove("neighbour.remove", "address", k), e => Add("neighbour.add", e), removals, additions);
        Table(before, after, "tunnels", e => e["name"]!.ToString(), k => Remove("tunnel.remove", "name", k), e => Add("tunnel.add", e), removals, additions);
        Table(before, after, "vxlanDomains", e => e["vni"]!.ToString(), k => new RuleChange("vxlan.domain.remove", new JsonObject { ["vni"] = long.Parse(k, System.Globalization.CultureInfo.InvariantCulture) }),
            e => Add("vxlan.domain.add", e), removals, additions);

        // A service whose name stays but whose addresses change is updated in place (service.add refuses a taken name).
        var beforeServices = Keyed(before, "services", e => e["name"]!.ToString());
        foreach (var (name, entry) in Keyed(after, "services", e => e["name"]!.ToString()))
        {
            if (!beforeServices.TryGetValue(name, out var old))
            {
                additions.Add(Add("service.add", entry));
            }
            else if (!JsonNode.DeepEquals(old, entry))
            {
                additions.Add(new RuleChange("service.update", new JsonObject { ["name"] = name, ["service"] = entry.DeepClone() }));
            }
        }

        var afterServices = Keyed(after, "services", e => e["name"]!.ToString());
        foreach (string name in beforeServices.Keys.Where(n => !afterServices.ContainsKey(n)))
        {
            removals.Add(Remove("service.remove", "nameOrServiceIp", name));
        }

        // Traffic rules: a rule whose name stays but whose definition changes is replaced in place.
        var beforeRules = Keyed(before, "trafficRules", e => e["name"]!.ToString());
        var afterRules = Keyed(after, "trafficRules", e => e["name"]!.ToString());
        foreach (string name in beforeRules.Keys.Where(n => !afterRules.ContainsKey(n)))
        {
            removals.Add(Remove("rule.remove", "name", name));
        }

        foreach (var (name, entry) in afterRules)
        {
            if (!beforeRules.TryGetValue(name, out var old))
            {
                additions.Add(Add("rule.add", entry));
            }
            else if (!JsonNode.DeepEquals(old, entry))
            {
                additions.Add(new RuleChange("rule.replace", new JsonObject { ["name"] = name, ["rule"] = entry.DeepClone() }));
            }
        }

        return [.. removals, .. additions];
    }

    private static void Table(JsonObject before, JsonObject after, string table, Func<JsonNode, string> key, Func<string, RuleChange> remove,
        Func<JsonNode, RuleChange> add, List<RuleChange> removals, List<RuleChange> additions)
    {
        var old = Keyed(before, table, key);
        var wanted = Keyed(after, table, key);
        foreach (var (k, _) in old.Where(o => !wanted.ContainsKey(o.Key)))
        {
            removals.Add(remove(k));
        }

        foreach (var (k, entry) in wanted)
        {
            if (!old.TryGetValue(k, out var previous) || !JsonNode.DeepEquals(previous, entry))
            {
                additions.Add(add(entry)); // the *.add methods add or replace
            }
        }
    }

    private static SortedDictionary<string, JsonNode> Keyed(JsonObject dump, string table, Func<JsonNode, string> key)
    {
        var entries = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var entry in dump[table] as JsonArray ?? [])
        {
            entries[key(entry!)] = entry!;
        }

        return entries;
    }

    private static RuleChange Add(string method, JsonNode entry) => new(method, entry.DeepClone().AsObject());

    private static RuleChange Remove(string method, string field, string key) => new(method, new JsonObject { [field] = key });

    /// <summary>The params as the control methods read them.</summary>
    public static JsonElement Element(this RuleChange change) => JsonSerializer.SerializeToElement(change.Params);
}
