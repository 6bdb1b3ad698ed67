using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Integration;

/// <summary>
/// The TOF on real links: an eNodeB, an SGW and an edge application, each in its own namespace, and `dataplane run`
/// (role tof) between them on AF_PACKET. The TOF runs in the test's own namespace on the veth ends facing them, so
/// the REST API answers HttpClient on loopback. The eNB and SGW speak GTP-U with Scapy (Tools/gtpu_peer.py); the
/// application is a UDP echo server.
/// </summary>
/// <remarks>
/// A downlink G-PDU (SGW -> eNB) teaches the TOF the UE's downlink TEID; a service is registered over REST; the
/// UE's uplink to the service IP is offloaded to the application, NATed, and the echo comes back to the eNB inside
/// the UE's downlink tunnel, from the service IP, with the uplink's QFI. Uplink to anything else reaches the SGW
/// unchanged; after the service is deleted over REST, so does uplink to the service IP.
/// </remarks>
public sealed class TofNamespaceTests : IDisposable
{
    private const string Token = "tof-test-token-0123456789";
    private const string EnbMac = "02:00:00:0e:0b:01", SgwMac = "02:00:00:05:06:01", AppMac = "02:00:00:0a:99:01";
    private const string TofEnbMac = "02:00:00:70:0f:01", TofSgwMac = "02:00:00:70:0f:02", TofAppsMac = "02:00:00:70:0f:03";
    private const string Enb = "192.0.2.10", Sgw = "192.0.2.20", App = "203.0.113.10", Ue = "10.45.0.2";
    private const string ServiceIp = "198.18.0.10", Internet = "198.51.100.99";
    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-tof-").FullName;
    private readonly Lab lab = new();
    private readonly List<string> rootLinks = [];

    [Fact]
    public async Task A_ue_flow_to_a_registered_service_reaches_the_app_and_the_reply_comes_back_in_its_tunnel()
    {
        Lab.RequireRoot();
        string enb = lab.Namespace("enb"), sgw = lab.Namespace("sgw"), app = lab.Namespace("app");
        string enbLink = RootLink(enb, TofEnbMac, EnbMac, "e"), sgwLink = RootLink(sgw, TofSgwMac, SgwMac, "s"), appsLink = RootLink(app, TofAppsMac, AppMac, "a");
        lab.InNamespace(enb, "ip", "addr", "add", $"{Enb}/24", "dev", "s1");
        lab.InNamespace(sgw, "ip", "addr", "add", $"{Sgw}/24", "dev", "s1");
        lab.InNamespace(app, "ip", "addr", "add", $"{App}/24", "dev", "s1");
        lab.InNamespace(app, "ip", "route", "add", "10.45.0.0/16", "via", "203.0.113.1");
        // The peers know each other's MACs; the TOF is a bump in the wire between eNB and SGW.
        lab.InNamespace(enb, "ip", "neigh", "replace", Sgw, "lladdr", SgwMac, "dev", "s1", "nud", "permanent");
        lab.InNamespace(sgw, "ip", "neigh", "replace", Enb, "lladdr", EnbMac, "dev", "s1", "nud", "permanent");

        int restPort = FreePort();
        string dataplane = Path.Combine(AppContext.BaseDirectory, "dataplane");
        var daemon = Start(dataplane, "run", "--config", WriteConfig(enbLink, sgwLink, appsLink, restPort));
        var echo = lab.Start(app, "/usr/bin/python3", Peer, "echo", "7777", "40");
        var enbSniffer = lab.Start(enb, "/usr/bin/python3", Peer, "sniff", "s1", "30");
        var sgwSniffer = lab.Start(sgw, "/usr/bin/python3", Peer, "sniff", "s1", "30");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{restPort}"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        await WaitForApi(http);
        // An operator watching for new UEs on the control socket (events.subscribe): the two directions learned.
        var events = Start(dataplane, "ctl", "--socket", Path.Combine(scratch, "tof.sock"), "events.subscribe", "count=2", "seconds=30");
        Thread.Sleep(2500); // the sniffers have Scapy loaded

        Send(sgw, Sgw, Enb, "0x200", Internet, Ue, "9", "downlink-learn");                       // teaches the downlink TEID
        var created = await http.PostAsync("/service", Json(new { name = "edge", serviceIP = ServiceIp, applicationIP = App }), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Send(enb, Enb, Sgw, "0x100", Ue, ServiceIp, "7777", "hello-1", qfi: 9);                    // offloaded
        Send(enb, Enb, Sgw, "0x100", Ue, Internet, "9", "to-the-internet", qfi: 9);               // passes to the SGW
        Thread.Sleep(1000);
        var deleted = await http.DeleteAsync($"/service/{ServiceIp}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Send(enb, Enb, Sgw, "0x100", Ue, ServiceIp, "7777", "hello-2", qfi: 9);                    // no longer offloaded
        Thread.Sleep(1000);
        string tunnels = await http.GetStringAsync("/tunnel", TestContext.Current.CancellationToken);

        Assert.True(events.WaitForExit(TimeSpan.FromSeconds(30)), "the event subscriber did not see two events");
        string eventLines = events.StandardOutput.ReadToEnd() + events.StandardError.ReadToEnd();
        string daemonLog = Lab.Stop(daemon);
        var atEnb = Records(Lab.Stop(enbSniffer));
        var atSgw = Records(Lab.Stop(sgwSniffer));
        string echoed = Lab.Stop(echo);
        string context = $"\nTOF:\n{daemonLog}\napp:\n{echoed}\neNB saw:\n{string.Join("\n", atEnb)}\nSGW saw:\n{string.Join("\n", atSgw)}";

        Assert.Contains("\"payload\": \"hello-1\"", echoed, StringComparison.Ordinal);   // the app got the offloaded flow
        Assert.DoesNotContain("hello-2", echoed, StringComparison.Ordinal);
        var reply = atEnb.SingleOrDefault(r => r.GetProperty("payload").GetString() == "echo:hello-1");
        Assert.True(reply.ValueKind == JsonValueKind.Object, $"no echo reply reached the eNB in a tunnel{context}");
        Assert.Equal(0x200u, reply.GetProperty("teid").GetUInt32());
        Assert.Equal(Sgw, reply.GetProperty("outerSrc").GetString());
        Assert.Equal(Enb, reply.GetProperty("outerDst").GetString());
        Assert.Equal(ServiceIp, reply.GetProperty("innerSrc").GetString());          // reverse NAT: from the service
        Assert.Equal(Ue, reply.GetProperty("innerDst").GetString());
        Assert.Equal(9, reply.GetProperty("qfi").GetInt32());
        Assert.Contains(atSgw, r => r.GetProperty("payload").GetString() == "to-the-internet" && r.GetProperty("teid").GetUInt32() == 0x100);
        Assert.Contains(atSgw, r => r.GetProperty("payload").GetString() == "hello-2" && r.GetProperty("innerDst").GetString() == ServiceIp);
        Assert.DoesNotContain(atSgw, r => r.GetProperty("payload").GetString() == "hello-1");
        Assert.Contains(atEnb, r => r.GetProperty("payload").GetString() == "downlink-learn"); // bridged unchanged
        Assert.Contains(Ue, tunnels, StringComparison.Ordinal);
        var learned = Records(eventLines).Select(e => e.GetProperty("params").GetProperty("data")).ToList();
        Assert.True(learned.Count == 2, $"events.subscribe printed:\n{eventLines}");
        Assert.Contains(learned, e => e.GetProperty("kind").GetString() == "Learned" && e.GetProperty("direction").GetString() == "Downlink" && e.GetProperty("teid").GetUInt32() == 0x200);
        Assert.Contains(learned, e => e.GetProperty("kind").GetString() == "Learned" && e.GetProperty("direction").GetString() == "Uplink" && e.GetProperty("teid").GetUInt32() == 0x100);
        Assert.All(learned, e => Assert.Equal(Ue, e.GetProperty("ue").GetString()));
        Assert.Contains("conservation holds", daemonLog, StringComparison.Ordinal);
    }

    private static string Peer => Path.Combine(RepositoryPaths.Root, "tests", "Dataplane.Tests", "Integration", "Tools", "gtpu_peer.py");

    private static void Send(string ns, string source, string destination, string teid, string ueSource, string ueDestination, string port, string payload, int? qfi = null)
    {
        string[] command = ["ip", "netns", "exec", ns, "/usr/bin/python3", Peer, "send", "s1", source, destination, teid, ueSource, ueDestination, port, payload,
            .. qfi is { } q ? new[] { "--qfi", q.ToString(CultureInfo.InvariantCulture) } : []];
        var (exitCode, output) = Lab.TryRun(TimeSpan.FromSeconds(20), command);
        Assert.True(exitCode == 0, $"gtpu_peer send failed: {output}");
    }

    private static List<JsonElement> Records(string output) =>
        output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static async Task WaitForApi(HttpClient http)
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                var response = await http.GetAsync("/service", TestContext.Current.CancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        Assert.Fail("the REST API did not come up within 10 s");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>A veth pair: one end here (the TOF's port, named after the lab), the other as "s1" in <paramref name="ns"/>.</summary>
    private string RootLink(string ns, string localMac, string peerMac, string suffix)
    {
        string name = $"{lab.Prefix}{suffix}";
        name = name[..Math.Min(15, name.Length)];
        Lab.Run("ip", "link", "add", name, "address", localMac, "type", "veth", "peer", "name", "s1", "netns", ns, "address", peerMac);
        rootLinks.Add(name);
        Lab.Run("sysctl", "-qw", $"net.ipv6.conf.{name}.disable_ipv6=1");
        Lab.Run("ethtool", "-K", name, "tx", "off");
        Lab.Run("ip", "link", "set", name, "up");
        lab.InNamespace(ns, "sysctl", "-qw", "net.ipv6.conf.s1.disable_ipv6=1");
        lab.InNamespace(ns, "ethtool", "-K", "s1", "tx", "off");
        lab.InNamespace(ns, "ip", "link", "set", "s1", "up");
        return name;
    }

    private Process Start(params string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command[0]}");
        started.Add(process);
        return process;
    }

    private readonly List<Process> started = [];

    private string WriteConfig(string enbLink, string sgwLink, string appsLink, int restPort)
    {
        string path = Path.Combine(scratch, "tof.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            roles = new[] { "tof" },
            ports = new object[]
            {
                new { name = "enb", mac = TofEnbMac, driver = "af_packet", @interface = enbLink },
                new { name = "sgw", mac = TofSgwMac, driver = "af_packet", @interface = sgwLink },
                new { name = "apps", mac = TofAppsMac, addresses = new[] { "203.0.113.1" }, driver = "af_packet", @interface = appsLink },
            },
            neighbours = new object[]
            {
                new { address = Enb, mac = EnbMac, port = "enb" },
                new { address = Sgw, mac = SgwMac, port = "sgw" },
                new { address = App, mac = AppMac, port = "apps" },
            },
            routes = new object[]
            {
                new { prefix = $"{Enb}/32", port = "enb" },
                new { prefix = $"{Sgw}/32", port = "sgw" },
                new { prefix = "203.0.113.0/24", port = "apps" },
            },
            tof = new { enbPort = "enb", sgwPort = "sgw", appsPort = "apps" },
            control = new { socket = Path.Combine(scratch, "tof.sock"), restAddress = $"127.0.0.1:{restPort}", restToken = Token },
        }));
        return path;
    }

    public void Dispose()
    {
        foreach (var process in started)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }

            process.Dispose();
        }

        lab.Dispose();
        foreach (string link in rootLinks)
        {
            Lab.TryRun(TimeSpan.FromSeconds(5), "ip", "link", "del", link); // gone with its namespace peer already, normally
        }

        Directory.Delete(scratch, recursive: true);
    }
}
