using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Tests.Control;

namespace Dataplane.Tests.Rules;

/// <summary>A real <c>dataplane run</c>: rules added and removed over its socket survive kill -9 and a restart.</summary>
public sealed class TrafficRuleDaemonTests : IDisposable
{
    private readonly DaemonScratch scratch = new("dp-rules-run-");

    [Fact]
    public void Rules_acknowledged_over_the_socket_survive_kill_9()
    {
        // The file has an instance rule, so the workers run the instance stage and more can be added at run time.
        var config = JsonNode.Parse(File.ReadAllText(scratch.ConfigPath))!.AsObject();
        config["trafficRules"] = JsonNode.Parse("""[{ "name": "from-file", "priority": 1, "scope": "instance", "instanceId": 7, "actions": { "count": true } }]""");
        File.WriteAllText(scratch.ConfigPath, config.ToJsonString());

        var daemon = scratch.Start();
        var added = scratch.Call("rule.add", """{ "name": "no-telnet", "priority": 10, "scope": "instance", "instanceId": 7, "match": { "protocol": "tcp", "destinationPorts": 23 }, "actions": { "drop": true } }""");
        Assert.True(added["error"] is null, added.ToJsonString());
        var removed = scratch.Call("rule.remove", """{ "name": "from-file" }""");
        Assert.True(removed["error"] is null, removed.ToJsonString());
        var refused = scratch.Call("rule.add", """{ "name": "bad", "priority": 11, "scope": "instance", "instanceId": 7, "match": { "protocol": "tcp", "sourcePorts": "80-20" }, "actions": { "drop": true } }""");
        Assert.Equal("params.match.sourcePorts: 80-20 is not a range low-high", refused["error"]!["message"]!.GetValue<string>());
        DaemonScratch.Kill9(daemon);

        scratch.Start();
        var listed = scratch.Call("rule.list");
        Assert.True(listed["error"] is null, listed.ToJsonString());
        var rules = listed["result"]!.AsArray();
        Assert.Equal(["no-telnet"], rules.Select(r => r!["name"]!.GetValue<string>()));
        Assert.Equal(23, rules[0]!["match"]!["destinationPorts"]!.GetValue<string>() == "23" ? 23 : -1);
        Assert.Equal("no-telnet", scratch.Dump()["trafficRules"]!.AsArray().Single()!["name"]!.GetValue<string>());
    }

    public void Dispose() => scratch.Dispose();
}
