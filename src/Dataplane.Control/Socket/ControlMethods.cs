using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Control.State;
using Dataplane.Forwarding.Pipeline;

namespace Dataplane.Control.Socket;

/// <summary>
/// Every method of the control socket, and the one lock that serialises mutations. A mutation is checked in full
/// (<see cref="ControlMethod.Prepare"/>) before anything happens, then journaled (durably, when persistence is on),
/// then applied to the live tables the workers read lock-free; so a refused or failed request changes nothing and an
/// acknowledged one survives a crash.
/// </summary>
public sealed class ControlMethods
{
    private static readonly JsonElement NoParams = JsonDocument.Parse("{}").RootElement.Clone();
    private readonly Lock mutationLock = new();
    private readonly Dictionary<string, ControlMethod> methods = new(StringComparer.Ordinal);

    public ControlMethods(ForwardingPlane plane)
    {
        Context = new ControlContext(plane);
        foreach (var method in LispMethods.Create(Context).Concat(NeighbourMethods.Create(Context)).Concat(TunnelMethods.Create(Context))
                     .Concat(VxlanMethods.Create(Context)).Concat(VxlanTableMethods.Create(Context)).Concat(StatusMethods.Create(Context))
                     .Concat(LispControlMethods.Create(Context)).Concat(TofMethods.Create(Context))
                     .Concat(NshMethods.Create(Context))
                     .Concat(RuleMethods.Create(Context)))
        {
            methods.Add(method.Name, method);
        }

        foreach (var method in ServerMethods.Create(this))
        {
            methods.Add(method.Name, method);
        }
    }

    public ControlContext Context { get; }

    /// <summary>Where mutations are recorded before they apply; null = not persisted.</summary>
    public IMutationJournal? Journal { get; set; }

    public IEnumerable<string> Names => methods.Keys.Order(StringComparer.Ordinal);

    /// <summary>Every method, sorted by name, with its description (rpc.describe).</summary>
    public IEnumerable<ControlMethod> All => methods.Values.OrderBy(m => m.Name, StringComparer.Ordinal);

    public ControlMethod? Find(string name) => methods.GetValueOrDefault(name);

    public bool IsMutation(string method) => methods.TryGetValue(method, out var m) && m.Mutates;

    /// <summary>Runs a method for a client: checks, journals (mutations), applies. Throws <see cref="ControlRpcException"/> for a refused request.</summary>
    public JsonNode? Invoke(string method, JsonElement? parameters) => Run(method, parameters, journal: true);

    /// <summary>Runs a method without journaling it: replay of the journal and of a snapshot at start.</summary>
    public JsonNode? Apply(string method, JsonElement? parameters) => Run(method, parameters, journal: false);

    /// <summary>The rule state as canonical JSON (state.dump); taken under the mutation lock, so it is one consistent state.</summary>
    public string DumpState()
    {
        lock (mutationLock)
        {
            return RuleStateDump.Serialize(Context);
        }
    }

    /// <summary>
    /// Makes the rule tables equal to <paramref name="dump"/> (a snapshot): entries of the dump are added or replaced,
    /// entries not in it are removed. Entries that no longer apply (a port that went away ...) are reported, not fatal.
    /// </summary>
    public void Restore(JsonElement dump, Action<string> report)
    {
        var current = JsonNode.Parse(DumpState())!.AsObject();
        Reconcile(dump, current, "mapCache", "eid", "mapcache.add", "mapcache.remove", report);
        Reconcile(dump, current, "localEids", null, "localeid.add", "localeid.remove", report);
        ReconcileLocalRlocs(dump, report);
        Reconcile(dump, current, "neighbours", "address", "neighbour.add", "neighbour.remove", report);
        Reconcile(dump, current, "tunnels", "name", "tunnel.add", "tunnel.remove", report);
        ReconcileVxlanDomains(dump, current, report);
        ReconcileServices(dump, current, report);
        NshMethods.Reconcile(dump, current, (method, parameters) => TryApply(method, parameters, report));
        ReconcileTrafficRules(dump, current, report);
    }

    /// <summary>The local RLOCs' priorities and weights: set as the dump has them (an RLOC gone from the configuration is reported).</summary>
    private void ReconcileLocalRlocs(JsonElement dump, Action<string> report)
    {
        if (dump.TryGetProperty("localRlocs", out var wanted) && wanted.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in wanted.EnumerateArray())
            {
                TryApply("lisp.rloc-priority", entry, report);
            }
        }
    }

    /// <summary>
    /// Traffic rules, after the services they may name: every current rule that differs from the dump's is removed
    /// first (so its name and priority are free), then the dump's missing ones are added.
    /// </summary>
    private void ReconcileTrafficRules(JsonElement dump, JsonObject current, Action<string> report)
    {
        if (!dump.TryGetProperty("trafficRules", out var wanted) || wanted.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        var wantedEntries = wanted.EnumerateArray().ToList();
        var wantedText = wantedEntries.Select(e => CanonicalJson.Serialize(JsonNode.Parse(e.GetRawText()))).ToHashSet(StringComparer.Ordinal);
        var currentText = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in current["trafficRules"]!.AsArray())
        {
            string text = CanonicalJson.Serialize(entry);
            currentText.Add(text);
            if (!wantedText.Contains(text))
            {
                TryApply("rule.remove", JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["name"] = entry!["name"]!.GetValue<string>() }), report);
            }
        }

        foreach (var entry in wantedEntries)
        {
            if (!currentText.Contains(CanonicalJson.Serialize(JsonNode.Parse(entry.GetRawText()))))
            {
                TryApply("rule.add", entry, report);
            }
        }
    }

    /// <summary>
    /// TOF services: service.add refuses a taken name or serviceIP (it is not add-or-replace), so every current
    /// service that differs from the dump's is removed first, then the dump's missing ones are added.
    /// </summary>
    private void ReconcileServices(JsonElement dump, JsonObject current, Action<string> report)
    {
        if (!dump.TryGetProperty("services", out var wanted) || wanted.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        var wantedEntries = wanted.EnumerateArray().ToList();
        var wantedText = wantedEntries.Select(e => CanonicalJson.Serialize(JsonNode.Parse(e.GetRawText()))).ToHashSet(StringComparer.Ordinal);
        var currentText = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in current["services"]!.AsArray())
        {
            string text = CanonicalJson.Serialize(entry);
            currentText.Add(text);
            if (!wantedText.Contains(text))
            {
                var parameters = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["nameOrServiceIp"] = entry!["name"]!.GetValue<string>() });
                TryApply("service.remove", parameters, report);
            }
        }

        foreach (var entry in wantedEntries)
        {
            if (!currentText.Contains(CanonicalJson.Serialize(JsonNode.Parse(entry.GetRawText()))))
            {
                TryApply("service.add", entry, report);
            }
        }
    }

    /// <summary>
    /// VXLAN bridge domains: a domain of the dump that differs from the current one of its VNI (ports, flood list,
    /// static MACs, aging) replaces it whole (vxlan.domain.add); current domains not in the dump are removed.
    /// </summary>
    private void ReconcileVxlanDomains(JsonElement dump, JsonObject current, Action<string> report)
    {
        if (!dump.TryGetProperty("vxlanDomains", out var wanted) || wanted.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        var currentByVni = current["vxlanDomains"]!.AsArray().ToDictionary(d => d!["vni"]!.ToString(), d => CanonicalJson.Serialize(d), StringComparer.Ordinal);
        var wantedVnis = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in wanted.EnumerateArray())
        {
            string vni = entry.TryGetProperty("vni", out var v) ? v.ToString() : "";
            wantedVnis.Add(vni);
            if (!currentByVni.TryGetValue(vni, out var text) || text != CanonicalJson.Serialize(JsonNode.Parse(entry.GetRawText())))
            {
                TryApply("vxlan.domain.add", entry, report);
            }
        }

        foreach (var vni in currentByVni.Keys.Where(k => !wantedVnis.Contains(k)))
        {
            TryApply("vxlan.domain.remove", JsonSerializer.SerializeToElement(new Dictionary<string, long> { ["vni"] = long.Parse(vni, System.Globalization.CultureInfo.InvariantCulture) }), report);
        }
    }

    private void Reconcile(JsonElement dump, JsonObject current, string table, string? keyField, string add, string remove, Action<string> report)
    {
        if (!dump.TryGetProperty(table, out var wanted) || wanted.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        string removeParam = keyField ?? "eid";
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in wanted.EnumerateArray())
        {
            string key = keyField is null ? entry.GetString() ?? "" : entry.TryGetProperty(keyField, out var k) ? k.ToString() : "";
            keep.Add(key);
            var parameters = keyField is null ? JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["eid"] = key }) : entry;
            TryApply(add, parameters, report);
        }

        foreach (var entry in current[table]!.AsArray())
        {
            string key = keyField is null ? entry!.GetValue<string>() : entry![keyField]!.ToString();
            if (!keep.Contains(key))
            {
                TryApply(remove, JsonSerializer.SerializeToElement(new Dictionary<string, string> { [removeParam] = key }), report);
            }
        }
    }

    private void TryApply(string method, JsonElement parameters, Action<string> report)
    {
        try
        {
            Apply(method, parameters);
        }
        catch (Exception e) when (e is ControlRpcException or InvalidOperationException or ArgumentException)
        {
            report($"{method} {parameters.GetRawText()} no longer applies: {e.Message}");
        }
    }

    private JsonNode? Run(string name, JsonElement? parameters, bool journal)
    {
        if (!methods.TryGetValue(name, out var method))
        {
            throw new ControlRpcException(JsonRpcErrorCodes.MethodNotFound, $"unknown method '{name}'; methods: {string.Join(", ", Names)}");
        }

        var element = parameters ?? NoParams;
        var reader = new ParamReader(element, "params");
        // The described parameters are the only ones a method gets: a description cannot leave one out.
        reader.AllowOnly([.. method.Parameters.Select(p => p.Name)]);
        if (!method.Mutates)
        {
            return method.Prepare(reader)();
        }

        lock (mutationLock)
        {
            var apply = method.Prepare(reader);
            var target = journal ? Journal : null;
            target?.Append(name, element);
            var result = apply();
            if (target is { WantsCompaction: true })
            {
                target.Compact(RuleStateDump.Serialize(Context));
            }

            return result;
        }
    }
}
