using System.Text.Json;

namespace Dataplane.Tests.Integration;

/// <summary>
/// Our GTP-U endpoint against Open vSwitch's userspace (netdev) <c>gtpu</c> tunnel port, in namespaces:
/// UE (10.45.0.2) - OVS (192.0.2.2, gtpu TEID 256 both ways) - N3 - our UPF (192.0.2.1) - N6 - host (198.51.100.254).
/// tshark reads the N3 link on OVS's side. Checked: pings both ways through the tunnel, the G-PDUs both ways with
/// TEID 256 around the ICMP echoes; OVS 3.1's wrong UDP checksums (docs/configuration/gtpu.md) counted with
/// tunnelUdpChecksum "accept"; our Echo Requests on the link to OVS; an Echo Request sent from OVS's tunnel address
/// and port answered by us; and, since OVS does not answer echo, the path to it reported down after three unanswered
/// intervals.
/// </summary>
public sealed class OvsGtpUInteropTests : IDisposable
{
    private const string UeMac = "02:00:00:00:45:02", OvsAccessMac = "02:00:00:00:45:01", OvsN3Mac = "02:00:00:00:c0:02";
    private const string N3Mac = "02:00:00:00:c0:01", N6Mac = "02:00:00:00:06:01", HostMac = "02:00:00:00:06:fe";

    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-ovs-gtpu-").FullName;
    private readonly Lab lab = new();

    [Fact]
    public void G_pdus_both_ways_and_echo_with_open_vswitch_userspace_gtpu()
    {
        Lab.RequireRoot();
        OpenVswitchProcess.RequireInstalled();
        Assert.SkipUnless(File.Exists("/usr/bin/tshark"), "needs tshark (scripts/setup.sh)");

        string ue = lab.Namespace("ue"), ovsNs = lab.Namespace("ovs"), upf = lab.Namespace("upf"), host = lab.Namespace("dn");
        lab.Link(ue, "eth0", UeMac, ovsNs, "acc", OvsAccessMac);
        lab.Link(ovsNs, "n3", OvsN3Mac, upf, "n3", N3Mac);
        lab.Link(upf, "n6", N6Mac, host, "eth0", HostMac);
        foreach (var (ns, address, gateway, gatewayMac) in new[] { (ue, "10.45.0.2/24", "10.45.0.1", OvsAccessMac), (host, "198.51.100.254/24", "198.51.100.1", N6Mac) })
        {
            lab.InNamespace(ns, "ip", "link", "set", "eth0", "mtu", "1400");
            lab.InNamespace(ns, "ethtool", "-K", "eth0", "tx", "off"); // no partial checksums into AF_PACKET (docs/ports/af_packet.md)
            lab.InNamespace(ns, "ip", "addr", "add", address, "dev", "eth0");
            lab.InNamespace(ns, "ip", "neigh", "replace", gateway, "lladdr", gatewayMac, "dev", "eth0");
            lab.InNamespace(ns, "ip", "route", "add", "default", "via", gateway);
        }

        var ovs = StartOpenVswitch(ovsNs);
        string config = WriteConfig(Path.Combine(scratch, "upf.json"));
        string capture = Path.Combine(scratch, "n3.pcap");
        // On OVS's side of N3: our daemon transmits past the kernel's packet taps (PACKET_QDISC_BYPASS).
        var tcpdump = lab.Start(ovsNs, "tcpdump", "-i", "n3", "-nn", "--immediate-mode", "-U", "-w", capture, "udp", "port", "2152");
        var daemon = lab.Start(upf, Path.Combine(AppContext.BaseDirectory, "dataplane"), "run", "--config", config);
        Thread.Sleep(1500);

        var (there, thereText) = Lab.TryRun(TimeSpan.FromSeconds(20), "ip", "netns", "exec", ue, "ping", "-c", "3", "-i", "0.2", "-W", "2", "198.51.100.254");
        var (back, backText) = Lab.TryRun(TimeSpan.FromSeconds(20), "ip", "netns", "exec", host, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.45.0.2");
        // An Echo Request from OVS's tunnel address and port, as a path manager behind OVS would send it.
        lab.InNamespace(ovsNs, "/usr/bin/python3", "-c",
            "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('192.0.2.2', 2152)); "
            + "s.sendto(bytes.fromhex('320100040000000051c30000'), ('192.0.2.1', 2152))"); // S set, sequence 0x51c3
        Thread.Sleep(4500); // echoIntervalSeconds 1: more than three unanswered rounds
        string log = Lab.Stop(daemon);
        Lab.Stop(tcpdump);
        string context = $"\nour UPF:\n{log}\nOVS:\n{ovs.Log}";

        Assert.True(there == 0, $"UE (behind OVS) -> host (behind our N6) ping failed:\n{thereText}{context}");
        Assert.True(back == 0, $"host (behind our N6) -> UE (behind OVS) ping failed:\n{backText}{context}");
        Assert.Contains("conservation holds", log, StringComparison.Ordinal);
        Assert.Matches(@"event GtpUDecapsulated\s+([6-9]|\d{2,})", log); // 3 requests and 3 replies from the UE
        Assert.Matches(@"event TunnelUdpChecksumBadAccepted\s+([6-9]|\d{2,})", log); // every G-PDU OVS 3.1 sent
        Assert.Contains("Dataplane.Control.GtpU[500] peer 192.0.2.2 (from 192.0.2.1) down", log, StringComparison.Ordinal);

        // The byte oracle: tshark's reading of N3. Outer addresses, TEID, inner addresses, ICMP type, UDP checksum status.
        string fields = Lab.Run("tshark", "-r", capture, "-o", "udp.check_checksum:TRUE", "-T", "fields", "-E", "separator=|",
            "-e", "ip.src", "-e", "ip.dst", "-e", "gtp.message", "-e", "gtp.teid", "-e", "icmp.type", "-e", "udp.checksum.status", "-e", "gtp.seq_number");
        string[] frames = fields.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var (from, to, type, who) in new[]
        {
            ("192.0.2.2,10.45.0.2", "192.0.2.1,198.51.100.254", "8", "OVS's G-PDUs with the UE's echo requests"),
            ("192.0.2.1,198.51.100.254", "192.0.2.2,10.45.0.2", "0", "our G-PDUs with the host's echo replies"),
            ("192.0.2.1,198.51.100.254", "192.0.2.2,10.45.0.2", "8", "our G-PDUs with the host's echo requests"),
            ("192.0.2.2,10.45.0.2", "192.0.2.1,198.51.100.254", "0", "OVS's G-PDUs with the UE's echo replies"),
        })
        {
            Assert.True(frames.Count(f => f.StartsWith($"{from}|{to}|0xff|0x00000100|{type}|", StringComparison.Ordinal)) >= 3,
                $"{who}: not 3 G-PDUs with TEID 256 on N3:\n{fields}");
        }

        // OVS 3.1's checksum is computed before the GTP-U length is written: tshark calls every one of its G-PDUs bad.
        Assert.All(frames.Where(f => f.StartsWith("192.0.2.2,10.45.0.2|", StringComparison.Ordinal)), f => Assert.EndsWith("|0|", f, StringComparison.Ordinal));
        Assert.True(frames.Count(f => f.StartsWith("192.0.2.1|192.0.2.2|0x01|0x00000000|", StringComparison.Ordinal)) >= 3, $"our Echo Requests to OVS:\n{fields}");
        Assert.Contains(frames, f => f.StartsWith("192.0.2.1|192.0.2.2|0x02|0x00000000||1|0x51c3", StringComparison.Ordinal));
    }

    /// <summary>
    /// br-n3 (port n3, 192.0.2.2 on its internal port: OVS's userspace tunnelling routes through a bridge that owns
    /// the address) and br-acc (acc and the gtpu port gtp0 to 192.0.2.1, TEID 256 both ways). gtpu is a layer 3 port:
    /// the UE's IP packets go into it without their Ethernet header, the decapsulated ones get the UE's addresses.
    /// </summary>
    private OpenVswitchProcess StartOpenVswitch(string ns)
    {
        var ovs = OpenVswitchProcess.Start(lab, ns, scratch);
        ovs.Vsctl("add-br", "br-n3", "--", "set", "bridge", "br-n3", "datapath_type=netdev", $"other_config:hwaddr={OvsN3Mac}", "--", "add-port", "br-n3", "n3");
        ovs.Vsctl("add-br", "br-acc", "--", "set", "bridge", "br-acc", "datapath_type=netdev",
            "protocols=OpenFlow10,OpenFlow13,OpenFlow15", "--", "add-port", "br-acc", "acc",
            "--", "add-port", "br-acc", "gtp0", "--", "set", "interface", "gtp0", "type=gtpu",
            "options:remote_ip=192.0.2.1", "options:local_ip=192.0.2.2", "options:key=256");
        lab.InNamespace(ns, "ip", "addr", "add", "192.0.2.2/24", "dev", "br-n3");
        lab.InNamespace(ns, "ip", "link", "set", "br-n3", "up");
        ovs.WaitFor(() => ovs.TryAppctl("ovs/route/lookup", "192.0.2.1").Output.Contains("br-n3", StringComparison.Ordinal), "OVS's route to our UPF through br-n3");
        ovs.Appctl("tnl/neigh/set", "br-n3", "192.0.2.1", N3Mac);
        ovs.Ofctl("del-flows", "br-acc");
        ovs.Ofctl("add-flow", "br-acc", "in_port=acc,ip,actions=output:gtp0");
        ovs.Ofctl("add-flow", "br-acc", "in_port=acc,arp,actions=drop");
        // The bridge is not packet-type aware: a decapsulated T-PDU shows as an Ethernet frame with zero addresses.
        ovs.Ofctl("add-flow", "br-acc", $"in_port=gtp0,ip,actions=mod_dl_src:{OvsAccessMac},mod_dl_dst:{UeMac},output:acc");
        return ovs;
    }

    private static string WriteConfig(string path)
    {
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            roles = new[] { "gtpu" },
            tunnelUdpChecksum = "accept",
            ports = new object[]
            {
                new { name = "n3", mac = N3Mac, addresses = new[] { "192.0.2.1" }, driver = "af_packet", @interface = "n3" },
                new { name = "n6", mac = N6Mac, addresses = new[] { "198.51.100.1" }, driver = "af_packet", @interface = "n6" },
            },
            neighbours = new[]
            {
                new { address = "192.0.2.2", mac = OvsN3Mac, port = "n3" },
                new { address = "198.51.100.254", mac = HostMac, port = "n6" },
            },
            routes = new object[]
            {
                new { prefix = "192.0.2.0/24", port = "n3" },
                new { prefix = "198.51.100.0/24", port = "n6" },
            },
            gtpu = new
            {
                echoIntervalSeconds = 1,
                echoMissedLimit = 3,
                tunnels = new[]
                {
                    new { name = "ue", localAddress = "192.0.2.1", peerAddress = "192.0.2.2", teidIn = 256, teidOut = 256, ueAddress = "10.45.0.2" },
                },
            },
        }));
        return path;
    }

    public void Dispose()
    {
        lab.Dispose(); // OVS's processes, tcpdump and the daemon by PID, then the namespaces
        Directory.Delete(scratch, recursive: true);
    }
}
