using System.Text.Json;

namespace Dataplane.Tests.Integration;

/// <summary>
/// Our service function forwarder with Open vSwitch as the service function, in namespaces, over Ethernet NSH
/// (EtherType 0x894F) on AF_PACKET: src --in-- our SFF --sf-- OVS (the function) ; our SFF --lan-- dst.
/// src sends NSH SPI 10 SI 255 (as a classifier would) carrying UDP to dst; our SFF sends it to the path's only hop,
/// OVS, which acts as a function with its NSH actions (dec_nsh_ttl, SI 255 -> 254) and sends it back; SI 254 is the
/// end of the one-hop path, so we remove NSH and route the inner packet to dst. tshark reads OVS's side of the link:
/// from us SI 255 with TTL 62 (we decremented 63), from OVS SI 254 with TTL 61; dst receives the UDP with TTL 63.
/// </summary>
public sealed class OvsNshInteropTests : IDisposable
{
    private const string SrcMac = "02:00:00:00:0a:07", InMac = "02:00:00:00:0a:01", SfMac = "02:00:00:00:00:5f", OvsMac = "02:00:00:00:00:21";
    private const string LanMac = "02:00:00:00:01:01", DstMac = "02:00:00:00:01:05";
    private const int Packets = 5;

    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-ovs-nsh-").FullName;
    private readonly Lab lab = new();

    [Fact]
    public void Open_vswitch_as_a_service_function_on_an_ethernet_nsh_path()
    {
        Lab.RequireRoot();
        OpenVswitchProcess.RequireInstalled();
        Assert.SkipUnless(File.Exists("/usr/bin/tshark"), "needs tshark (scripts/setup.sh)");
        Assert.SkipUnless(File.Exists("/usr/bin/python3"), "needs Debian's python3 with python3-scapy (scripts/setup.sh)");

        string src = lab.Namespace("src"), sff = lab.Namespace("sff"), ovsNs = lab.Namespace("ovs"), dst = lab.Namespace("dst");
        lab.Link(src, "eth0", SrcMac, sff, "in", InMac);
        lab.Link(sff, "sf", SfMac, ovsNs, "sf1", OvsMac);
        lab.Link(sff, "lan", LanMac, dst, "eth0", DstMac);
        lab.InNamespace(dst, "ip", "addr", "add", "10.1.0.5/24", "dev", "eth0");

        var ovs = OpenVswitchProcess.Start(lab, ovsNs, scratch);
        ovs.Vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev", "protocols=OpenFlow10,OpenFlow13,OpenFlow15",
            "--", "add-port", "br0", "sf1");
        ovs.Ofctl("del-flows", "br0");
        ovs.Ofctl("add-flow", "br0", "table=0,in_port=sf1,dl_type=0x894f,nsh_spi=10,nsh_si=255,"
            + $"actions=dec_nsh_ttl,set_field:254->nsh_si,set_field:{OvsMac}->eth_src,set_field:{SfMac}->eth_dst,IN_PORT");

        string config = WriteConfig(Path.Combine(scratch, "sff.json"));
        string sfCapture = Path.Combine(scratch, "sf.pcap"), dstCapture = Path.Combine(scratch, "dst.pcap");
        // On the far side of our links: our daemon transmits past the kernel's packet taps (PACKET_QDISC_BYPASS).
        var sfDump = lab.Start(ovsNs, "tcpdump", "-i", "sf1", "-nn", "--immediate-mode", "-U", "-w", sfCapture, "ether", "proto", "0x894f");
        var dstDump = lab.Start(dst, "tcpdump", "-i", "eth0", "-nn", "--immediate-mode", "-U", "-w", dstCapture, "udp", "port", "9999");
        var daemon = lab.Start(sff, Path.Combine(AppContext.BaseDirectory, "dataplane"), "run", "--config", config);
        Thread.Sleep(1500);

        lab.InNamespace(src, "/usr/bin/python3", "-c", string.Join('\n',
            "from scapy.all import Ether, IP, UDP, Raw, sendp",
            "from scapy.contrib.nsh import NSH",
            $"p = Ether(src='{SrcMac}', dst='{InMac}', type=0x894F) / NSH(mdtype=1, ttl=63, nextproto=1, spi=10, si=255)"
            + " / IP(src='10.9.0.7', dst='10.1.0.5', ttl=64) / UDP(sport=40000, dport=9999) / Raw(b'via-ovs')",
            $"sendp([p] * {Packets}, iface='eth0', inter=0.05, verbose=0)"));
        Thread.Sleep(1500);
        string log = Lab.Stop(daemon);
        Lab.Stop(sfDump);
        Lab.Stop(dstDump);
        string context = $"\nour SFF:\n{log}\nOVS:\n{ovs.Log}";

        Assert.Contains("conservation holds", log, StringComparison.Ordinal);
        Assert.Matches(@"event NshForwarded\s+[5-9]", log);
        Assert.Matches(@"event NshDecapsulated\s+[5-9]", log);

        // OVS's side of the link, read by tshark: our hop to it, and its answer as a function.
        string sf = Lab.Run("tshark", "-r", sfCapture, "-T", "fields", "-E", "separator=|", "-e", "eth.src", "-e", "nsh.spi", "-e", "nsh.si", "-e", "nsh.ttl", "-e", "nsh.mdtype");
        string[] hops = sf.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(hops.Count(h => h == $"{SfMac}|10|255|0x003e|1") == Packets, $"our NSH to OVS (SI 255, TTL 63 - 1):\n{sf}{context}");
        Assert.True(hops.Count(h => h == $"{OvsMac}|10|254|0x003d|1") == Packets, $"OVS's NSH back (SI 254, TTL 62 - 1):\n{sf}{context}");

        // The end of the path: the inner packet routed to dst (TTL 64 - 1), with no NSH left.
        string delivered = Lab.Run("tshark", "-r", dstCapture, "-T", "fields", "-E", "separator=|", "-e", "eth.src", "-e", "ip.src", "-e", "ip.ttl", "-e", "nsh.spi", "-e", "data.data");
        string[] frames = delivered.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(frames.Count(f => f == $"{LanMac}|10.9.0.7|63||7669612d6f7673") == Packets, $"routed to dst:\n{delivered}{context}");
    }

    private static string WriteConfig(string path)
    {
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            ports = new object[]
            {
                new { name = "in", mac = InMac, driver = "af_packet", @interface = "in" },
                new { name = "sf", mac = SfMac, driver = "af_packet", @interface = "sf" },
                new { name = "lan", mac = LanMac, addresses = new[] { "10.1.0.1" }, driver = "af_packet", @interface = "lan" },
            },
            neighbours = new[] { new { address = "10.1.0.5", mac = DstMac, port = "lan" } },
            routes = new[] { new { prefix = "10.1.0.0/24", port = "lan" } },
            nsh = new
            {
                serviceFunctions = new[] { new { name = "ovs-sf", transport = "ethernet", mac = OvsMac, port = "sf" } },
                servicePaths = new[] { new { spi = 10, hops = new[] { "ovs-sf" }, end = "route" } },
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
