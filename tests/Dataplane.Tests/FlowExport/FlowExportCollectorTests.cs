using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.FlowExport;

/// <summary>
/// `dataplane run` (role tof, one capture-file port) exporting its offloaded flows to a real collector: nfcapd from
/// Debian's nfdump, on loopback, read back with <c>nfdump -o json</c>. The traffic and the expected per-flow packet
/// and byte counts come from a Scapy script (tof_flows.py) that counts its own packets. The test relays each message
/// to nfcapd and keeps a copy, which tshark's cflow dissector reads for the template IDs, the element IDs and the
/// sequence numbers (RFC 7011 section 3.1: the data records sent before each message).
/// </summary>
public sealed class FlowExportCollectorTests : IDisposable
{
    private const string Nfcapd = "/usr/bin/nfcapd", Nfdump = "/usr/bin/nfdump";
    private readonly string scratch = Directory.CreateTempSubdirectory($"dataplane-ipfix-{Environment.ProcessId}-").FullName;
    private readonly List<Process> started = [];

    [Fact]
    public async Task Nfdump_sees_every_offloaded_flow_with_the_packets_and_bytes_sent()
    {
        if (!File.Exists(Nfcapd) || !File.Exists(Nfdump))
        {
            Assert.Skip("nfcapd / nfdump are not installed: run scripts/setup.sh (apt package nfdump)");
        }

        TsharkOracle.RequireInstalled();
        string input = Path.Combine(scratch, "input.pcap");
        var made = JsonDocument.Parse(ScapyOracle.Run(Path.Combine(RepositoryPaths.Root, "tests", "Dataplane.Tests", "FlowExport", "tof_flows.py"), input)).RootElement;
        var expected = made.GetProperty("flows").EnumerateArray().Select(e => e.Clone()).ToList();
        var expectedTunnels = made.GetProperty("tunnels").EnumerateArray().Select(e => e.Clone()).ToList();

        string flowDirectory = Directory.CreateDirectory(Path.Combine(scratch, "flows")).FullName;
        int collectorPort = FreeUdpPort();
        var nfcapd = Start(Nfcapd, "-b", "127.0.0.1", "-p", collectorPort.ToString(CultureInfo.InvariantCulture), "-w", flowDirectory, "-t", "3600");
        using var relay = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        int relayPort = ((IPEndPoint)relay.Client.LocalEndPoint!).Port;
        var messages = new List<byte[]>();
        using var stopRelay = new CancellationTokenSource();
        var relaying = Relay(relay, new IPEndPoint(IPAddress.Loopback, collectorPort), messages, stopRelay.Token);
        Thread.Sleep(500); // nfcapd has bound its socket

        var daemon = Start(Path.Combine(AppContext.BaseDirectory, "dataplane"), "run", "--config", WriteConfig(input, relayPort), "--exit-when-idle", "2.5",
            "--duration", "60");
        Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(90)), "dataplane run did not stop");
        string daemonOutput = daemon.StandardOutput.ReadToEnd() + daemon.StandardError.ReadToEnd();
        Assert.True(daemon.ExitCode == 0, daemonOutput);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        await stopRelay.CancelAsync();
        await relaying;
        Process.Start("/bin/kill", ["-INT", nfcapd.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit(5000);
        Assert.True(nfcapd.WaitForExit(TimeSpan.FromSeconds(10)), "nfcapd did not stop");

        // nfdump: every offloaded flow direction, with the counts the script made; nothing else.
        var all = NfdumpRecords(flowDirectory);
        var records = all.Where(r => r.TryGetProperty("src4_addr", out _)).ToList();
        var tunnelRecords = all.Where(r => !r.TryGetProperty("src4_addr", out _)).ToList();
        string context = $"\nnfdump records:\n{string.Join("\n", records.Select(r => r.ToString()))}\ndataplane:\n{daemonOutput}";
        foreach (var flow in expected)
        {
            var matching = records.Where(r => Same(r, flow)).ToList();
            Assert.True(matching.Count > 0, $"no record of {flow}{context}");
            Assert.Equal(flow.GetProperty("packets").GetInt64(), matching.Sum(r => r.GetProperty("in_packets").GetInt64()));
            Assert.Equal(flow.GetProperty("bytes").GetInt64(), matching.Sum(r => r.GetProperty("in_bytes").GetInt64()));
            Assert.All(matching, r => Assert.Equal(flow.GetProperty("natSource").GetString(), r.GetProperty("src4_xlt_ip").GetString()));
            Assert.All(matching, r => Assert.Equal(flow.GetProperty("natDestination").GetString(), r.GetProperty("dst4_xlt_ip").GetString()));
        }

        Assert.All(records, r => Assert.Contains(expected, flow => Same(r, flow)));
        Assert.DoesNotContain(records, r => r.GetProperty("dst4_addr").GetString() == "8.8.8.8");

        // The GTP-U tunnels (template 258, outer addresses IPv4-mapped): every G-PDU and returned reply per direction.
        foreach (var tunnel in expectedTunnels)
        {
            var matching = tunnelRecords.Where(r => r.GetProperty("src6_addr").GetString() == "::ffff:" + tunnel.GetProperty("source").GetString()
                && r.GetProperty("dst6_addr").GetString() == "::ffff:" + tunnel.GetProperty("destination").GetString()).ToList();
            Assert.True(matching.Count > 0, $"no record of tunnel {tunnel}{context}");
        }

        foreach (var direction in expectedTunnels.GroupBy(t => (t.GetProperty("source").GetString(), t.GetProperty("destination").GetString())))
        {
            var matching = tunnelRecords.Where(r => r.GetProperty("src6_addr").GetString() == "::ffff:" + direction.Key.Item1).ToList();
            Assert.Equal(direction.Sum(t => t.GetProperty("packets").GetInt64()), matching.Sum(r => r.GetProperty("in_packets").GetInt64()));
            Assert.Equal(direction.Sum(t => t.GetProperty("bytes").GetInt64()), matching.Sum(r => r.GetProperty("in_bytes").GetInt64()));
        }

        // tshark: the templates' IDs and element IDs, the records per message and the sequence numbers.
        Assert.NotEmpty(messages);
        var frames = IpfixOracles.Tshark(messages, "cflow.version", "cflow.sequence", "cflow.od_id", "cflow.template_id", "cflow.template_ipfix_field_type",
            "cflow.flowset_id", "cflow.packets", "cflow.flow_end_reason", "cflow.srcaddrv6", "cflow.enterprise_private_entry");
        Assert.All(frames, f => Assert.Equal(["10"], f["cflow.version"]));
        Assert.All(frames, f => Assert.Equal(["7"], f["cflow.od_id"]));
        var templates = frames[0];
        Assert.Equal(["256", "257", "258", "259", "260", "261"], templates["cflow.template_id"]);
        Assert.Equal(["8", "12", "225", "226", "7", "11", "4", "2", "1", "152", "153", "136"], templates["cflow.template_ipfix_field_type"].Take(12));
        long sent = 0;
        foreach (var frame in frames)
        {
            Assert.Equal(sent.ToString(CultureInfo.InvariantCulture), Assert.Single(frame["cflow.sequence"]));
            sent += frame["cflow.packets"].Length;
        }

        Assert.Equal(all.Count, sent);

        // Each tunnel record's TEID and UE (the enterprise elements), per direction, as the script sent them.
        var teids = new List<(string Source, uint Teid, string Ue, long Packets)>();
        foreach (var frame in frames)
        {
            string[] sources = frame["cflow.srcaddrv6"], entries = frame["cflow.enterprise_private_entry"];
            Assert.Equal(sources.Length * 2, entries.Length);
            var packets = frame["cflow.packets"].Skip(frame["cflow.packets"].Length - sources.Length).ToArray(); // the tunnel set follows the flow sets
            for (int i = 0; i < sources.Length; i++)
            {
                byte[] ue = Convert.FromHexString(entries[(2 * i) + 1].Replace(":", "", StringComparison.Ordinal));
                teids.Add((sources[i], Convert.ToUInt32(entries[2 * i].Replace(":", "", StringComparison.Ordinal), 16), new IPAddress(ue).MapToIPv4().ToString(),
                    long.Parse(packets[i], CultureInfo.InvariantCulture)));
            }
        }

        foreach (var tunnel in expectedTunnels)
        {
            var matching = teids.Where(t => t.Source == "::ffff:" + tunnel.GetProperty("source").GetString() && t.Teid == tunnel.GetProperty("teid").GetUInt32()).ToList();
            Assert.True(matching.Count > 0, $"no tunnel record with TEID {tunnel.GetProperty("teid")}");
            Assert.All(matching, t => Assert.Equal(tunnel.GetProperty("ue").GetString(), t.Ue));
            Assert.Equal(tunnel.GetProperty("packets").GetInt64(), matching.Sum(t => t.Packets));
        }
        Assert.All(frames.SelectMany(f => f["cflow.flow_end_reason"]), reason => Assert.Contains(reason, new[] { "1", "4" })); // idle timeout or forced end
    }

    private static bool Same(JsonElement record, JsonElement flow) =>
        record.GetProperty("src4_addr").GetString() == flow.GetProperty("source").GetString()
        && record.GetProperty("dst4_addr").GetString() == flow.GetProperty("destination").GetString()
        && record.GetProperty("src_port").GetInt32() == flow.GetProperty("sourcePort").GetInt32()
        && record.GetProperty("dst_port").GetInt32() == flow.GetProperty("destinationPort").GetInt32()
        && record.GetProperty("proto").GetInt32() == flow.GetProperty("protocol").GetInt32();

    private static List<JsonElement> NfdumpRecords(string directory)
    {
        var start = new ProcessStartInfo(Nfdump) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "-R", directory, "-o", "json" })
        {
            start.ArgumentList.Add(argument);
        }

        using var nfdump = Process.Start(start)!;
        string output = nfdump.StandardOutput.ReadToEnd();
        string error = nfdump.StandardError.ReadToEnd();
        Assert.True(nfdump.WaitForExit(TimeSpan.FromSeconds(30)) && nfdump.ExitCode == 0, $"nfdump failed: {error}");
        return JsonDocument.Parse(output.Trim().Length == 0 ? "[]" : output).RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private static async Task Relay(UdpClient relay, IPEndPoint collector, List<byte[]> messages, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var received = await relay.ReceiveAsync(stop);
                messages.Add(received.Buffer);
                await relay.SendAsync(received.Buffer, collector, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private string WriteConfig(string input, int collectorPort)
    {
        string path = Path.Combine(scratch, "config.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            roles = new[] { "tof" },
            ports = new object[] { new { name = "s1", mac = "02:00:00:00:e0:03", driver = "pcap", rxPcap = input, txPcap = Path.Combine(scratch, "out.pcap") } },
            neighbours = new object[]
            {
                new { address = "192.0.2.10", mac = "02:00:00:00:0e:01", port = "s1" },
                new { address = "198.51.100.20", mac = "02:00:00:00:05:01", port = "s1" },
                new { address = "203.0.113.10", mac = "02:00:00:00:a0:01", port = "s1" },
                new { address = "203.0.113.11", mac = "02:00:00:00:a0:02", port = "s1" },
            },
            routes = new object[]
            {
                new { prefix = "192.0.2.0/24", port = "s1" },
                new { prefix = "198.51.100.0/24", port = "s1" },
                new { prefix = "203.0.113.0/24", port = "s1" },
                new { prefix = "0.0.0.0/0", nextHop = "198.51.100.20", port = "s1" },
            },
            tof = new
            {
                s1Port = "s1",
                enbAddresses = new[] { "192.0.2.10" },
                sgwAddresses = new[] { "198.51.100.20" },
                appsPort = "s1",
                services = new object[]
                {
                    new { name = "video", serviceIP = "10.200.0.1", applicationIP = "203.0.113.10" },
                    new { name = "game", serviceIP = "10.200.0.2", applicationIP = "203.0.113.11" },
                },
            },
            flowExport = new { collector = $"127.0.0.1:{collectorPort}", idleTimeoutSeconds = 1, activeTimeoutSeconds = 60, observationDomainId = 7 },
        }));
        return path;
    }

    private static int FreeUdpPort()
    {
        using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
    }

    private Process Start(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        started.Add(process);
        return process;
    }

    public void Dispose()
    {
        foreach (var process in started)
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(5000);
            }

            process.Dispose();
        }

        Directory.Delete(scratch, recursive: true);
    }
}
