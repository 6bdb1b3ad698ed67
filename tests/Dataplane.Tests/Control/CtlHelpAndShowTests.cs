using System.Text.Json.Nodes;
using Dataplane.Control.Socket;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.Time;
using Dataplane.Tests.Host.Cli;

namespace Dataplane.Tests.Control;

/// <summary>
/// <c>dataplane ctl help</c> and <c>dataplane ctl show ...</c> against a real daemon (<c>dataplane run</c> on pcap
/// ports, <see cref="DaemonScratch"/>): the methods come from the daemon, the show forms are tables of its state.
/// </summary>
public sealed class CtlHelpAndShowTests : IDisposable
{
    private readonly DaemonScratch scratch = new("dpc-ctl-help-");

    [Fact]
    public void Help_lists_every_method_the_daemon_registers_and_one_method_with_its_parameters()
    {
        StartDaemon();
        var registry = new ControlMethods(ForwardingPlaneBuilder.Build(ControlTestConfig.Config(), new ForwardingPlaneOptions { Clock = new ManualClock(1) }));

        var (code, list, error) = Ctl("help");
        var (oneCode, one, oneError) = Ctl("help", "mapcache.add");
        var (unknownCode, _, unknownError) = Ctl("help", "mapcache.ad");

        Assert.True(code == 0, error);
        var listed = list.Split('\n').Skip(1).Select(l => l.Split(' ', 2)[0]).Where(n => n.Contains('.', StringComparison.Ordinal)).ToList();
        Assert.Equal(registry.All.Select(m => m.Name), listed);
        Assert.Matches(@"(?m)^mapcache\.add\s+yes\s+Add or replace", list);
        Assert.Matches(@"(?m)^mapcache\.list\s+no\s+", list);
        Assert.Contains($"{listed.Count} methods", list, StringComparison.Ordinal);

        Assert.True(oneCode == 0, oneError);
        Assert.StartsWith("mapcache.add (changes the rule state; journaled)", one, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^eid\s+eid-prefix\s+yes\s+", one);
        Assert.Matches(@"(?m)^locators\s+array of objects\s+no\s+", one);
        Assert.Matches(@"(?m)^ttlMinutes\s+integer\s+no\s+", one);
        Assert.Contains("example: dataplane ctl mapcache.add eid=[7]10.9.0.0/16 locators=198.51.100.1:1:100 ttlMinutes=10", one, StringComparison.Ordinal);

        Assert.Equal(1, unknownCode);
        CliRun.AssertOneLineProblem(unknownError, "params.method: unknown method 'mapcache.ad'", "ctl help mapcache.ad");
    }

    [Fact]
    public void The_example_help_prints_for_a_method_is_a_command_the_daemon_accepts()
    {
        StartDaemon();
        var (_, one, _) = Ctl("help", "mapcache.add");
        string example = one.Split('\n').Single(l => l.StartsWith("example: ", StringComparison.Ordinal))["example: dataplane ctl ".Length..];

        var (code, _, error) = Ctl(example.Split(' '));
        var (_, listed, _) = Ctl("--json", "mapcache.list");

        Assert.True(code == 0, error);
        var entry = JsonNode.Parse(listed)!.AsArray().Single(e => e!["eid"]!.GetValue<string>() == "[7]10.9.0.0/16")!;
        Assert.Equal("198.51.100.1", entry["locators"]![0]!["address"]!.GetValue<string>());
    }

    [Fact]
    public void Show_forms_print_tables_of_the_daemons_state_and_json_gives_the_raw_result()
    {
        StartDaemon();
        var config = JsonNode.Parse(File.ReadAllText(scratch.ConfigPath))!;
        var ports = config["ports"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ToList();

        var (mapCode, map, mapError) = Ctl("show", "map-cache");
        Assert.True(mapCode == 0, mapError);
        Assert.Matches(@"(?m)^EID\s+TTL\(s\)\s+ACTION / LOCATORS", map);
        Assert.Contains("[7]10.2.0.0/16", map, StringComparison.Ordinal); // the configuration's map-cache entry

        var (interfacesCode, interfaces, interfacesError) = Ctl("show", "interfaces");
        Assert.True(interfacesCode == 0, interfacesError);
        Assert.Matches(@"^NAME\s+ID\s+DRIVER\s+MAC\s+LINK\s+RX PACKETS\s+RX BYTES\s+TX PACKETS\s+TX BYTES\s+RX DROPS\s+TX ERRORS\s+ADDRESSES", interfaces);
        foreach (string port in ports)
        {
            string mac = config["ports"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == port)!["mac"]!.GetValue<string>();
            Assert.Matches($@"(?m)^{port}\s+\d+\s+pcap\s+{mac}\s+-\s+0\s+0\s+", interfaces);
        }

        var (countersCode, counters, countersError) = Ctl("show", "counters");
        Assert.True(countersCode == 0, countersError);
        Assert.Matches(@"(?m)^received\s+0$", counters);
        Assert.Contains("conservation holds", counters, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^WORKER\s+RECEIVED\s+TRANSMITTED\s+PUNTED\s+DROPPED\s+PUNT QUEUE", counters);

        var (runtimeCode, runtime, runtimeError) = Ctl("show", "runtime");
        Assert.True(runtimeCode == 0, runtimeError);
        Assert.Matches(@"(?m)^Stage \(all workers\)\s+Calls\s+Packets", runtime);

        var (tunnelsCode, tunnels, tunnelsError) = Ctl("show", "tunnels");
        Assert.True(tunnelsCode == 0, tunnelsError);
        string tunnel = config["gtpu"]!["tunnels"]![0]!["name"]!.GetValue<string>();
        Assert.Contains(tunnel, tunnels, StringComparison.Ordinal);

        var (neighboursCode, _, neighboursError) = Ctl("show", "neighbours");
        Assert.True(neighboursCode == 0, neighboursError);

        var (jsonCode, json, _) = Ctl("--json", "show", "interfaces");
        Assert.Equal(0, jsonCode);
        var raw = JsonNode.Parse(json)!.AsArray();
        Assert.Equal(ports, raw.Select(p => p!["port"]!.GetValue<string>()).Take(ports.Count));
        Assert.All(raw.Take(ports.Count), p => Assert.Equal("pcap", p!["driver"]!.GetValue<string>()));
    }

    [Fact]
    public void A_bad_subject_is_a_usage_error_and_a_daemon_error_reply_exits_1_with_its_message()
    {
        var (subjectCode, _, subjectError) = Ctl("show", "interface");
        CliRun.AssertOneLineProblem(subjectError, "'interface'", "ctl show interface");
        Assert.Equal(2, subjectCode);

        StartDaemon();
        var (code, _, error) = Ctl("neighbour.remove", "address=192.0.2.77");
        Assert.Equal(1, code);
        CliRun.AssertOneLineProblem(error, "dataplane ctl: neighbour.remove: params.address: no neighbour 192.0.2.77 (error -32602)", "neighbour.remove");
    }

    [Fact]
    public void Ctl_help_without_a_daemon_says_there_is_none_and_ctl_dash_dash_help_says_how_to_get_the_list()
    {
        var (code, _, error) = Ctl("help");
        var (helpCode, help, _) = Ctl("--help");

        Assert.Equal(1, code);
        CliRun.AssertOneLineProblem(error, $"dataplane: no daemon at {scratch.SocketPath} (connect: No such file or directory)", "ctl help");
        Assert.Equal(0, helpCode);
        Assert.Contains("'dataplane ctl help'", help, StringComparison.Ordinal);
        Assert.Contains("show", help, StringComparison.Ordinal);
    }

    private void StartDaemon()
    {
        scratch.Start();
        using (scratch.ConnectWithRetry())
        {
        }
    }

    private (int ExitCode, string Output, string Error) Ctl(params string[] arguments) =>
        CliRun.Child(null, ["ctl", "--socket", scratch.SocketPath, .. arguments]);

    public void Dispose() => scratch.Dispose();
}
