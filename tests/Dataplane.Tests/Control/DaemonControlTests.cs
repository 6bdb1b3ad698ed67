using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dataplane.Tests.Control;

/// <summary>
/// The real daemon (<c>dataplane run</c> as a child) with control.socket and control.stateDirectory: every acknowledged
/// mapcache.add survives kill -9, and <c>dataplane ctl</c> talks to it.
/// </summary>
public sealed class DaemonControlTests : IDisposable
{
    private static readonly string Dataplane = Path.Combine(AppContext.BaseDirectory, "dataplane");
    private readonly DaemonScratch scratch = new("dpc-run-");

    [Fact]
    public void Every_acknowledged_mapping_survives_kill_9_and_ctl_reads_it_back()
    {
        var daemon = scratch.Start();
        var acknowledged = new List<string>();
        using (var socket = scratch.ConnectWithRetry())
        {
            var requests = new StringBuilder();
            for (int i = 0; i < 3000; i++)
            {
                requests.Append(CultureInfo($"{{\"jsonrpc\":\"2.0\",\"id\":{i},\"method\":\"mapcache.add\",\"params\":{{\"eid\":\"[8]10.{i / 256}.{i % 256}.0/24\",\"locators\":[{{\"address\":\"198.51.100.{1 + (i % 200)}\"}}]}}}}\n"));
            }

            // Stream them all; the daemon answers one by one, and dies in the middle.
            var writer = new Thread(() =>
            {
                try
                {
                    ControlFixture.Send(socket, requests.ToString());
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // the daemon is gone
                }
            });
            writer.Start();
            while (acknowledged.Count < 200)
            {
                var reply = ControlFixture.ReadReply(socket)!;
                Assert.True(reply["error"] is null, reply.ToJsonString());
                int id = reply["id"]!.GetValue<int>();
                acknowledged.Add(CultureInfo($"[8]10.{id / 256}.{id % 256}.0/24"));
            }

            DaemonScratch.Kill9(daemon); // no clean shutdown, no final snapshot
            writer.Join(TimeSpan.FromSeconds(10));
        }

        scratch.Start();
        using (scratch.ConnectWithRetry())
        {
        }

        var (exitCode, json, error) = Ctl("--socket", scratch.SocketPath, "--json", "mapcache.list");
        Assert.True(exitCode == 0, error);
        var present = JsonNode.Parse(json)!.AsArray().Select(e => e!["eid"]!.GetValue<string>()).ToHashSet();
        Assert.All(acknowledged, eid => Assert.Contains(eid, present));
        Assert.Contains("[7]10.2.0.0/16", present); // the configuration's entries are there too

        var (tableExit, table, _) = Ctl("--socket", scratch.SocketPath, "mapcache.list");
        Assert.Equal(0, tableExit);
        Assert.Matches(@"\[8\]10\.0\.0\.0/24\s+never\s+198\.51\.100\.1 p1 w100 up", table);

        var (addExit, _, addError) = Ctl("--socket", scratch.SocketPath, "mapcache.add", "eid=[7]10.30.0.0/16", "locators=198.51.100.1:1:100,2001:db8::5:1:50", "ttlMinutes=10");
        Assert.True(addExit == 0, addError);
        var (_, listed, _) = Ctl("--socket", scratch.SocketPath, "--json", "mapcache.list");
        var added = JsonNode.Parse(listed)!.AsArray().Single(e => e!["eid"]!.GetValue<string>() == "[7]10.30.0.0/16")!;
        Assert.Equal("2001:db8::5", added["locators"]![1]!["address"]!.GetValue<string>());
        Assert.Equal(50, added["locators"]![1]!["weight"]!.GetValue<int>());
        Assert.InRange(added["remainingSeconds"]!.GetValue<long>(), 590, 600);

        var (badExit, _, badError) = Ctl("--socket", scratch.SocketPath, "mapcache.add", "eid=10.0.0.0/33");
        Assert.Equal(1, badExit);
        Assert.Contains("params.eid: '10.0.0.0/33' is not a prefix: mask length 33 > 32", badError, StringComparison.Ordinal);

        var (countersExit, counters, _) = Ctl("--socket", scratch.SocketPath, "--json", "counters.get");
        Assert.Equal(0, countersExit);
        Assert.True(JsonNode.Parse(counters)!["conserved"]!.GetValue<bool>());
        var (portsExit, ports, _) = Ctl("--socket", scratch.SocketPath, "ports.stats");
        Assert.Equal(0, portsExit);
        Assert.Contains("eid-side", ports, StringComparison.Ordinal);
    }

    [Fact]
    public void Ctl_without_a_daemon_says_which_socket_and_exits_1()
    {
        var (exitCode, _, error) = Ctl("--socket", Path.Combine(scratch.Directory, "none.sock"), "mapcache.list");

        Assert.Equal(1, exitCode);
        Assert.Contains(Path.Combine(scratch.Directory, "none.sock"), error, StringComparison.Ordinal);
        Assert.Contains("control.socket", error, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output, string Error) Ctl(params string[] arguments)
    {
        var start = new ProcessStartInfo(Dataplane) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("ctl");
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), "dataplane ctl hung");
        return (process.ExitCode, output, error.Result);
    }

    private static string CultureInfo(FormattableString text) => FormattableString.Invariant(text);

    public void Dispose() => scratch.Dispose();
}
