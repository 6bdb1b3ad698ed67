using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Tests.Integration;

namespace Dataplane.Tests.Control;

/// <summary>
/// SIGHUP on a daemon over capture-file ports (roles itr, gtpu, vtep and tof): the file's added map-cache entry and
/// VXLAN domain and its removed TOF service are applied (seen through the control socket), an operator's change made
/// over the socket survives the reload, a changed port driver is logged as needing a restart and left as it runs;
/// a broken file changes nothing and the daemon still answers.
/// </summary>
public sealed class ConfigurationReloadTests : IDisposable
{
    private readonly DaemonScratch scratch = new("dataplane-reload-");
    private readonly ConcurrentQueue<string> stderr = new();

    [Fact]
    public void Sighup_applies_the_files_rule_changes_keeps_operator_changes_and_names_what_needs_a_restart()
    {
        var config = StartingConfig();
        Write(config);
        var daemon = scratch.Start(extra: ["--log-format", "json"], stderr: stderr.Enqueue);
        var before = scratch.Dump();
        Assert.Contains(before["services"]!.AsArray(), s => s!["name"]!.GetValue<string>() == "game");
        // An operator's change over the socket, which the file does not touch: it must survive the reload.
        Assert.True(scratch.Call("mapcache.add", """{"eid":"[7]10.77.0.0/16","locators":[{"address":"198.51.100.7","priority":1,"weight":100}]}""")["error"] is null);

        var edited = config.DeepClone().AsObject();
        edited["lisp"]!["mapCache"]!.AsArray().Add(JsonNode.Parse("""{"eid":"[7]10.9.0.0/16","locators":[{"address":"198.51.100.9","priority":1,"weight":100}]}"""));
        edited["vxlan"]!["bridgeDomains"]!.AsArray().Add(JsonNode.Parse("""{"vni":6000,"ports":["access1"],"remoteVteps":["198.51.100.6"]}"""));
        var services = edited["tof"]!["services"]!.AsArray();
        services.Remove(services.Single(s => s!["name"]!.GetValue<string>() == "game"));
        edited["ports"]![1]!["driver"] = "af_packet";
        edited["ports"]![1]!["interface"] = "lo";
        Write(edited);
        Hangup(daemon);
        WaitForLog("reloaded ");

        var after = scratch.Dump();
        Assert.Contains(after["mapCache"]!.AsArray(), e => e!["eid"]!.GetValue<string>() == "[7]10.9.0.0/16");
        Assert.Contains(after["mapCache"]!.AsArray(), e => e!["eid"]!.GetValue<string>() == "[7]10.77.0.0/16");
        Assert.Contains(after["vxlanDomains"]!.AsArray(), d => d!["vni"]!.GetValue<long>() == 6000);
        Assert.DoesNotContain(after["services"]!.AsArray(), s => s!["name"]!.GetValue<string>() == "game");
        Assert.Contains(after["services"]!.AsArray(), s => s!["name"]!.GetValue<string>() == "video-cache");

        var restart = Assert.Single(Messages(), m => m.StartsWith("needs a restart: ", StringComparison.Ordinal));
        Assert.Equal("needs a restart: ports[1].driver, ports[1].interface", restart);
        var ports = scratch.Call("ports.stats")["result"]!.AsArray();
        Assert.Equal(["eid-side", "rloc-side", "access0", "access1"], ports.Take(4).Select(p => p!["port"]!.GetValue<string>()));
        Assert.False(daemon.HasExited);
    }

    [Fact]
    public void A_broken_file_on_sighup_changes_nothing_names_the_field_and_the_daemon_still_answers()
    {
        var config = StartingConfig();
        Write(config);
        var daemon = scratch.Start(extra: ["--log-format", "json"], stderr: stderr.Enqueue);
        string before = scratch.Dump().ToJsonString();

        var broken = config.DeepClone().AsObject();
        broken["lisp"]!["mapCache"]!.AsArray().Add(JsonNode.Parse("""{"eid":"[7]10.9.0.0/16","locators":[]}"""));
        broken["tof"]!["services"]!.AsArray().Clear();
        broken["lisp"]!["mapCache"]![0]!["eid"] = "[7]10.2.0.0/33";
        Write(broken);
        Hangup(daemon);
        string refused = WaitForLog("not reloaded");

        Assert.Contains("lisp.mapCache[0].eid", refused, StringComparison.Ordinal);
        Assert.Equal(before, scratch.Dump().ToJsonString());
        File.WriteAllText(scratch.ConfigPath, "{ \"ports\": [ ");
        Hangup(daemon);
        Assert.Contains("not reloaded", WaitForLog("not reloaded", skip: 1), StringComparison.Ordinal);
        Assert.Equal(before, scratch.Dump().ToJsonString());
        Assert.False(daemon.HasExited);
    }

    /// <summary>The scratch daemon's configuration with a VXLAN access port and domain and two TOF services added.</summary>
    private JsonObject StartingConfig()
    {
        var config = JsonNode.Parse(File.ReadAllText(scratch.ConfigPath))!.AsObject();
        config["roles"] = new JsonArray("itr", "gtpu", "vtep", "tof");
        foreach (string access in new[] { "access0", "access1" })
        {
            config["ports"]!.AsArray().Add(new JsonObject
            {
                ["name"] = access,
                ["mac"] = access == "access0" ? "02:00:00:00:00:a0" : "02:00:00:00:00:a1",
                ["driver"] = "pcap",
                ["txPcap"] = Path.Combine(scratch.Directory, $"tx-{access}.pcap"),
            });
        }
        config["vxlan"] = JsonNode.Parse("""{"localVteps":["192.0.2.1"],"bridgeDomains":[{"vni":5000,"ports":["access0"],"remoteVteps":["198.51.100.2"]}]}""");
        config["tof"] = JsonNode.Parse("""
            {"s1Port":"rloc-side","enbAddresses":["192.0.2.10"],"sgwAddresses":["198.51.100.20"],"appsPort":"rloc-side",
             "services":[{"name":"video-cache","serviceIP":"10.200.0.1","applicationIP":"203.0.113.10"},
                         {"name":"game","serviceIP":"10.200.0.2","applicationIP":"203.0.113.11"}]}
            """);
        return config;
    }

    private void Write(JsonObject config) =>
        File.WriteAllText(scratch.ConfigPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    private static void Hangup(Process daemon) =>
        Assert.Equal(0, Lab.TryRun(TimeSpan.FromSeconds(5), "kill", "-HUP", daemon.Id.ToString(CultureInfo.InvariantCulture)).ExitCode);

    private List<string> Messages() =>
        [.. stderr.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("Message").GetString()!)];

    /// <summary>The (skip+1)-th log message containing <paramref name="text"/>, waited for up to 30 s.</summary>
    private string WaitForLog(string text, int skip = 0)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            var found = Messages().Where(m => m.Contains(text, StringComparison.Ordinal)).Skip(skip).FirstOrDefault();
            if (found is not null)
            {
                return found;
            }

            Thread.Sleep(50);
        }

        Assert.Fail($"no log line with '{text}' within 30 s:\n{string.Join('\n', stderr)}");
        return "";
    }

    public void Dispose() => scratch.Dispose();
}
