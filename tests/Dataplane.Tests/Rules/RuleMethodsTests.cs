using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Control;
using Dataplane.Control.Reload;
using Dataplane.Control.Socket;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.Time;

namespace Dataplane.Tests.Rules;

/// <summary>rule.* on a TOF plane: what they do, every refusal leaving the rule set unchanged, the state dump and its restore, a reload.</summary>
public sealed class RuleMethodsTests : IDisposable
{
    private const string Cdn = """{ "name": "cdn", "priority": 10, "scope": "tof", "match": { "destination": "192.0.2.0/24", "protocol": "tcp", "destinationPorts": "443" }, "actions": { "offload": "video", "count": true } }""";
    private readonly string directory = Directory.CreateTempSubdirectory("dp-rules-").FullName;

    [Fact]
    public void Add_list_replace_remove_and_clear()
    {
        var methods = Methods();
        var added = Invoke(methods, "rule.add", Cdn)!;
        Assert.Equal("""{"name":"cdn","priority":10,"scope":"tof","direction":"both","match":{"destination":"192.0.2.0/24","protocol":"tcp","destinationPorts":"443"},"actions":{"offload":"video","count":true}}""",
            added.ToJsonString());
        Invoke(methods, "rule.add", """{ "name": "cap", "priority": 20, "scope": "tof", "actions": { "rateLimit": { "bitsPerSecond": 1000000, "per": "ue" } } }""");

        var listed = Invoke(methods, "rule.list", "{}")!.AsArray();
        Assert.Equal(["cap", "cdn"], listed.Select(r => r!["name"]!.GetValue<string>()));
        Assert.Equal("""{"packets":0,"bytes":0,"drops":0,"policerDrops":0,"ueOverflows":0}""", listed[0]!["counters"]!.ToJsonString());
        Assert.Equal(12_500, listed[0]!["actions"]!["rateLimit"]!["burstBytes"]!.GetValue<long>()); // the default: a tenth of a second

        Invoke(methods, "rule.replace", """{ "name": "cdn", "rule": { "name": "cdn2", "priority": 10, "scope": "tof", "actions": { "drop": true } } }""");
        Assert.Equal(["cap", "cdn2"], Names(methods));
        Assert.Equal("cdn2", Invoke(methods, "rule.remove", """{ "name": "cdn2" }""")!["name"]!.GetValue<string>());
        Assert.Equal(1, Invoke(methods, "rule.clear", "{}")!["removed"]!.GetValue<int>());
        Assert.Empty(Names(methods));
        Assert.Null(methods.Context.Plane.TrafficRules.Current);
    }

    [Theory]
    [InlineData("""{ "name": "x", "priority": 10, "scope": "tof", "actions": { "count": true } }""", JsonRpcErrorCodes.Conflict, "params.priority: 10 is already the priority of rule 'cdn' in scope tof")]
    [InlineData("""{ "name": "cdn", "priority": 11, "scope": "tof", "actions": { "count": true } }""", JsonRpcErrorCodes.Conflict, "params.name: 'cdn' is already the name of another rule")]
    [InlineData("""{ "name": "x", "priority": 11, "scope": "tof", "match": { "sourcePorts": "80-20", "protocol": "tcp" }, "actions": { "count": true } }""", JsonRpcErrorCodes.InvalidParams, "params.match.sourcePorts: 80-20 is not a range low-high")]
    [InlineData("""{ "name": "x", "priority": 11, "scope": "tof", "actions": { "offload": "nope" } }""", JsonRpcErrorCodes.InvalidParams, "params.actions.offload: no registered service named 'nope'")]
    [InlineData("""{ "name": "x", "priority": 11, "scope": "tof", "actions": { "count": "yes" } }""", JsonRpcErrorCodes.InvalidParams, "params.actions.count: ")]
    [InlineData("""{ "name": "x", "priority": 11, "scope": "tof", "actions": { "count": true }, "colour": "red" }""", JsonRpcErrorCodes.InvalidParams, "params.colour: unknown parameter")]
    [InlineData("""{ "name": "x", "priority": 11, "scope": "instance", "instanceId": 0, "actions": { "count": true } }""", JsonRpcErrorCodes.InvalidParams, "params.scope: instance rules apply only when")]
    public void A_refused_rule_names_its_field_and_changes_nothing(string rule, int code, string message)
    {
        var methods = Methods();
        Invoke(methods, "rule.add", Cdn);
        methods.Context.Plane.CreateWorker(); // workers built without an instance rule
        string before = methods.DumpState();
        var generation = methods.Context.Plane.TrafficRules.Current!.Generation;

        var error = Assert.Throws<ControlRpcException>(() => Invoke(methods, "rule.add", rule));

        Assert.Equal(code, error.Code);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, methods.DumpState());
        Assert.Equal(generation, methods.Context.Plane.TrafficRules.Current!.Generation);
        Assert.Equal(JsonRpcErrorCodes.NotFound, Assert.Throws<ControlRpcException>(() => Invoke(methods, "rule.remove", """{ "name": "nope" }""")).Code);
    }

    [Fact]
    public void The_rules_are_in_the_state_dump_and_a_restore_brings_them_back_over_the_configurations()
    {
        var first = Methods();
        Invoke(first, "rule.add", Cdn);
        Invoke(first, "rule.add", """{ "name": "count", "priority": 5, "scope": "tof", "ue": "10.45.0.0/16", "direction": "downlink", "actions": { "count": true } }""");
        string dump = first.DumpState();
        Assert.Equal(["cdn", "count"], JsonNode.Parse(dump)!["trafficRules"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));

        // A plane whose file has another rule of priority 10: the restore removes it first, then adds the dump's.
        var second = Methods("""{ "name": "old", "priority": 10, "scope": "tof", "actions": { "drop": true } }""");
        var reports = new List<string>();
        second.Restore(JsonDocument.Parse(dump).RootElement, reports.Add);
        Assert.Empty(reports);
        Assert.Equal(dump, second.DumpState());
    }

    [Fact]
    public void A_journaled_rule_survives_a_restart_of_the_control_host()
    {
        var config = Config() with { Control = new ControlConfig { StateDirectory = directory } };
        var reports = new List<string>();
        var host = ControlHost.Create(config.Control, Plane(config), reports.Add, null);
        Invoke(host.Methods, "rule.add", Cdn);
        host.Store!.Dispose(); // a crash: only the journal, no final snapshot

        using var again = ControlHost.Create(config.Control, Plane(config), reports.Add, null);
        Assert.Empty(reports);
        Assert.Equal("cdn", Assert.Single(again.Methods.Context.Plane.TrafficRules.Definitions).Name);
    }

    [Fact]
    public void A_reload_turns_the_files_rule_changes_into_rule_calls()
    {
        var before = RuleChanges.RulesOf(Config(Cdn, """{ "name": "gone", "priority": 3, "scope": "tof", "actions": { "count": true } }"""));
        var after = RuleChanges.RulesOf(Config(Cdn.Replace("\"priority\": 10", "\"priority\": 11", StringComparison.Ordinal),
            """{ "name": "new", "priority": 4, "scope": "tof", "actions": { "count": true } }"""));

        var changes = RuleChanges.Between(before, after);

        Assert.Equal(["rule.remove gone", "rule.replace cdn", "rule.add new"], changes.Select(c => $"{c.Method} {c.Params["name"]}"));
        Assert.Empty(SettingsDifference.NeedingRestart(Config(Cdn), Config()));
    }

    private static DataplaneConfig Config(params string[] rules) => DataplaneConfigFile.Parse(TrafficRuleConfigTests.TofPlane(rules));

    private static ForwardingPlane Plane(DataplaneConfig config) =>
        ForwardingPlaneBuilder.Build(config, new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000) });

    private static ControlMethods Methods(params string[] rules)
    {
        var plane = Plane(Config(rules));
        var methods = new ControlMethods(plane);
        methods.Context.TofServices = plane.Feature<Dataplane.Forwarding.Tof.TofFeature>()!.Services;
        return methods;
    }

    private static List<string> Names(ControlMethods methods) =>
        [.. Invoke(methods, "rule.list", "{}")!.AsArray().Select(r => r!["name"]!.GetValue<string>())];

    private static JsonNode? Invoke(ControlMethods methods, string method, string parameters) =>
        methods.Invoke(method, JsonDocument.Parse(parameters).RootElement);

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
