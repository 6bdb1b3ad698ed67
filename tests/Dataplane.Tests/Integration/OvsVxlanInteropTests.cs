namespace Dataplane.Tests.Integration;

/// <summary>
/// Our VTEP against Open vSwitch's userspace (netdev) datapath, the VTEP the ports benchmark measures us against
/// (bench/ports/ovs.py): host A (10.0.0.1) - OVS (192.0.2.2) - underlay - our VTEP (192.0.2.1) - host B (10.0.0.2),
/// VNI 100. Ping must work both ways, so our VTEP decapsulates what OVS encapsulates and the other way round, and
/// tshark, reading the underlay, must see both VTEPs' frames as VXLAN with VNI 100 around the ICMP echoes.
/// OVS runs from a private database and run directory under the test's scratch dir, never as the packaged service.
/// </summary>
public sealed class OvsVxlanInteropTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-ovs-interop-").FullName;
    private readonly Lab lab = new();

    [Fact]
    public void Ping_both_ways_with_open_vswitch_userspace_vxlan()
    {
        Lab.RequireRoot();
        OpenVswitchProcess.RequireInstalled();

        string hostA = lab.Namespace("ha"), ovs = lab.Namespace("ovs"), vtep = lab.Namespace("v"), hostB = lab.Namespace("hb");
        const string HostAMac = "02:00:00:00:0a:0a", OvsAccessMac = "02:00:00:00:0a:01", OvsUnderlayMac = "02:00:00:00:c0:02";
        const string UnderlayMac = "02:00:00:00:c0:01", AccessMac = "02:00:00:00:0b:01", HostBMac = "02:00:00:00:0b:0a";
        lab.Link(hostA, "eth0", HostAMac, ovs, "acc", OvsAccessMac);
        lab.Link(ovs, "und", OvsUnderlayMac, vtep, "und", UnderlayMac);
        lab.Link(vtep, "acc", AccessMac, hostB, "eth0", HostBMac);
        foreach (var (ns, address) in new[] { (hostA, "10.0.0.1/24"), (hostB, "10.0.0.2/24") })
        {
            lab.InNamespace(ns, "ip", "link", "set", "eth0", "mtu", "1450");
            lab.InNamespace(ns, "ethtool", "-K", "eth0", "tx", "off"); // no partial checksums into AF_PACKET (docs/ports/af_packet.md)
            lab.InNamespace(ns, "ip", "addr", "add", address, "dev", "eth0");
        }

        string ovsLog = StartOpenVswitch(ovs, OvsUnderlayMac, UnderlayMac);
        string config = VtepTestConfig.Write(Path.Combine(scratch, "vtep.json"), AccessMac, UnderlayMac, "192.0.2.1", "192.0.2.2", OvsUnderlayMac);
        string capture = Path.Combine(scratch, "underlay.pcap");
        // On OVS's side of the underlay: our daemon transmits past the kernel's packet taps (PACKET_QDISC_BYPASS), so
        // a capture beside it would miss its own frames; OVS's end sees them arrive and its own leave.
        var tcpdump = lab.Start(ovs, "tcpdump", "-i", "und", "-nn", "--immediate-mode", "-U", "-w", capture, "udp", "port", "4789");
        var daemon = lab.Start(vtep, Path.Combine(AppContext.BaseDirectory, "dataplane"), "run", "--config", config);
        Thread.Sleep(1500);

        var (there, thereText) = Lab.TryRun(TimeSpan.FromSeconds(20), "ip", "netns", "exec", hostA, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.0.0.2");
        var (back, backText) = Lab.TryRun(TimeSpan.FromSeconds(20), "ip", "netns", "exec", hostB, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.0.0.1");
        string log = Lab.Stop(daemon);
        Lab.Stop(tcpdump);
        string context = $"\nour VTEP:\n{log}\nOVS:\n{File.ReadAllText(ovsLog)}";

        Assert.True(there == 0, $"host A (behind OVS) -> host B (behind ours) ping failed:\n{thereText}{context}");
        Assert.True(back == 0, $"host B (behind ours) -> host A (behind OVS) ping failed:\n{backText}{context}");
        Assert.Contains("conservation holds", log, StringComparison.Ordinal);
        Assert.Matches(@"event VxlanDecapsulated\s+([6-9]|\d{2,})", log); // 3 requests and 3 replies from OVS, plus ARP

        // The byte oracle: tshark's reading of the underlay. Outer then inner addresses; VNI; ICMP type.
        string fields = Lab.Run("tshark", "-r", capture, "-T", "fields", "-E", "separator=|", "-e", "ip.src", "-e", "ip.dst", "-e", "vxlan.vni", "-e", "icmp.type");
        string[] frames = fields.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var (from, to, type, who) in new[]
        {
            ("192.0.2.2,10.0.0.1", "192.0.2.1,10.0.0.2", "8", "OVS's echo requests A -> B"),
            ("192.0.2.1,10.0.0.2", "192.0.2.2,10.0.0.1", "0", "our echo replies B -> A"),
            ("192.0.2.1,10.0.0.2", "192.0.2.2,10.0.0.1", "8", "our echo requests B -> A"),
            ("192.0.2.2,10.0.0.1", "192.0.2.1,10.0.0.2", "0", "OVS's echo replies A -> B"),
        })
        {
            Assert.True(frames.Count(f => f == $"{from}|{to}|100|{type}") >= 3, $"{who}: not 3 VXLAN frames with VNI 100 on the underlay:\n{fields}");
        }
    }

    /// <summary>ovsdb-server and ovs-vswitchd in <paramref name="ns"/>, a netdev bridge br-acc (acc and a vxlan port to
    /// 192.0.2.1, VNI 100) and br-und (und, with 192.0.2.2 on its internal port: OVS's userspace tunneling routes
    /// through a bridge that owns the address), our VTEP's underlay MAC set as the tunnel neighbour. Returns the log path.</summary>
    private string StartOpenVswitch(string ns, string underlayMac, string remoteUnderlayMac)
    {
        var ovs = OpenVswitchProcess.Start(lab, ns, scratch);
        ovs.Vsctl("add-br", "br-und", "--", "set", "bridge", "br-und", "datapath_type=netdev", $"other_config:hwaddr={underlayMac}",
            "--", "add-port", "br-und", "und");
        ovs.Vsctl("add-br", "br-acc", "--", "set", "bridge", "br-acc", "datapath_type=netdev", "--", "add-port", "br-acc", "acc",
            "--", "add-port", "br-acc", "vx0", "--", "set", "interface", "vx0", "type=vxlan",
            "options:remote_ip=192.0.2.1", "options:local_ip=192.0.2.2", "options:key=100");
        lab.InNamespace(ns, "ip", "addr", "add", "192.0.2.2/24", "dev", "br-und");
        lab.InNamespace(ns, "ip", "link", "set", "br-und", "up");
        ovs.WaitFor(() => ovs.TryAppctl("ovs/route/lookup", "192.0.2.1").Output.Contains("br-und", StringComparison.Ordinal),
            "OVS's route to our VTEP through br-und");
        ovs.Appctl("tnl/neigh/set", "br-und", "192.0.2.1", remoteUnderlayMac);
        return ovs.LogPath;
    }

    public void Dispose()
    {
        lab.Dispose(); // OVS's processes by PID, then the namespaces, which take its tap devices with them
        Directory.Delete(scratch, recursive: true);
    }
}
