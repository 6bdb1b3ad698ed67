using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Tests.Integration;

namespace Dataplane.Tests.Control;

/// <summary>
/// A real daemon (dataplane run over capture-file ports, role tof): a cluster registered and drained over the
/// control socket survives kill -9 (the journal) and a clean restart (the snapshot); a cluster in the file is
/// changed by SIGHUP like any service.
/// </summary>
public sealed class TofClusterDaemonTests : IDisposable
{
    private const string Cluster = """{"name":"game","serviceIP":"10.200.0.2","applications":[{"ip":"203.0.113.20","weight":3},{"ip":"203.0.113.21"},{"ip":"203.0.113.22","weight":2}]}""";

    private readonly DaemonScratch scratch = new("dataplane-cluster-");
    private readonly ConcurrentQueue<string> stderr = new();

    public void Dispose() => scratch.Dispose();

    [Fact]
    public void A_cluster_added_and_drained_over_the_socket_survives_kill_9_and_a_clean_restart()
    {
        Write(Config());
        var daemon = scratch.Start();
        Assert.Null(scratch.Call("service.add", Cluster)["error"]);
        Assert.Null(scratch.Call("service.drain", """{"name":"game","ip":"203.0.113.21"}""")["error"]);
        string expected = Services(scratch.Dump());
        Assert.Contains("\"drain\":true", expected, StringComparison.Ordinal);

        DaemonScratch.Kill9(daemon);
        daemon = scratch.Start();
        Assert.Equal(expected, Services(scratch.Dump()));
        var listed = scratch.Call("service.list")["result"]!.AsArray().Single(s => s!["name"]!.GetValue<string>() == "game")!;
        Assert.Equal("203.0.113.20", listed["applicationIP"]!.GetValue<string>());

        // A clean stop writes the snapshot and empties the journal; the next start restores from it.
        Assert.Equal(0, Lab.TryRun(TimeSpan.FromSeconds(5), "kill", "-TERM", daemon.Id.ToString(CultureInfo.InvariantCulture)).ExitCode);
        Assert.True(daemon.WaitForExit(30_000));
        scratch.Start();
        Assert.Equal(expected, Services(scratch.Dump()));
    }

    [Fact]
    public void Sighup_changes_a_cluster_of_the_file()
    {
        var config = Config();
        config["tof"]!["services"]!.AsArray().Add(JsonNode.Parse(Cluster));
        Write(config);
        var daemon = scratch.Start(extra: ["--log-format", "json"], stderr: stderr.Enqueue);
        Assert.Contains("203.0.113.22", Services(scratch.Dump()), StringComparison.Ordinal);

        var edited = config.DeepClone().AsObject();
        edited["tof"]!["services"]![1]!["applications"] = JsonNode.Parse("""[{"ip":"203.0.113.20","weight":3},{"ip":"203.0.113.23","drain":true}]""");
        Write(edited);
        Assert.Equal(0, Lab.TryRun(TimeSpan.FromSeconds(5), "kill", "-HUP", daemon.Id.ToString(CultureInfo.InvariantCulture)).ExitCode);
        WaitForLog("reloaded ");

        var game = scratch.Dump()["services"]!.AsArray().Single(s => s!["name"]!.GetValue<string>() == "game")!;
        Assert.Equal(
            """[{"drain":false,"ip":"203.0.113.20","weight":3},{"drain":true,"ip":"203.0.113.23","weight":1}]""",
            game["applications"]!.ToJsonString());
        Assert.False(daemon.HasExited);
    }

    /// <summary>The scratch daemon's configuration with role tof on a shared S1 port and one plain service.</summary>
    private JsonObject Config()
    {
        var config = JsonNode.Parse(File.ReadAllText(scratch.ConfigPath))!.AsObject();
        config["roles"] = new JsonArray("itr", "tof");
        config["tof"] = JsonNode.Parse("""
            {"s1Port":"rloc-side","enbAddresses":["192.0.2.10"],"sgwAddresses":["198.51.100.20"],"appsPort":"rloc-side",
             "services":[{"name":"video-cache","serviceIP":"10.200.0.1","applicationIP":"203.0.113.10"}]}
            """);
        return config;
    }

    private static string Services(JsonObject dump) => dump["services"]!.ToJsonString();

    private void Write(JsonObject config) =>
        File.WriteAllText(scratch.ConfigPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    private string WaitForLog(string text)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            var found = stderr.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("Message").GetString()!)
                .FirstOrDefault(m => m.Contains(text, StringComparison.Ordinal));
            if (found is not null)
            {
                return found;
            }

            Thread.Sleep(50);
        }

        Assert.Fail($"no log line with '{text}' within 30 s:\n{string.Join('\n', stderr)}");
        return "";
    }
}
