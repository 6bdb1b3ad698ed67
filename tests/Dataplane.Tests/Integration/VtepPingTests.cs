namespace Dataplane.Tests.Integration;

/// <summary>
/// Two hosts on one L2 segment stretched over VXLAN by two Dataplane VTEPs (AF_PACKET ports in their own
/// namespaces): host A (10.0.0.1) - VTEP A (192.0.2.1) - underlay - VTEP B (192.0.2.2) - host B (10.0.0.2). ARP
/// between the hosts is flooded to the single remote VTEP, MACs are learned on both sides, and ping works both ways.
/// </summary>
public sealed class VtepPingTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-vtep-ping-").FullName;
    private readonly Lab lab = new();

    [Fact]
    public void Hosts_ping_each_other_across_two_vteps()
    {
        Lab.RequireRoot();
        string hostA = lab.Namespace("ha"), vtepA = lab.Namespace("va"), vtepB = lab.Namespace("vb"), hostB = lab.Namespace("hb");
        const string HostAMac = "02:00:00:00:0a:0a", AccessAMac = "02:00:00:00:0a:01", UnderlayAMac = "02:00:00:00:c0:01";
        const string UnderlayBMac = "02:00:00:00:c0:02", AccessBMac = "02:00:00:00:0b:01", HostBMac = "02:00:00:00:0b:0a";
        lab.Link(hostA, "eth0", HostAMac, vtepA, "acc", AccessAMac);
        lab.Link(vtepA, "und", UnderlayAMac, vtepB, "und", UnderlayBMac);
        lab.Link(vtepB, "acc", AccessBMac, hostB, "eth0", HostBMac);
        foreach (var (ns, address) in new[] { (hostA, "10.0.0.1/24"), (hostB, "10.0.0.2/24") })
        {
            lab.InNamespace(ns, "ip", "link", "set", "eth0", "mtu", "1450");
            lab.InNamespace(ns, "ethtool", "-K", "eth0", "tx", "off"); // no partial checksums into AF_PACKET (docs/ports/af_packet.md)
            lab.InNamespace(ns, "ip", "addr", "add", address, "dev", "eth0");
        }

        string dataplane = Path.Combine(AppContext.BaseDirectory, "dataplane");
        var daemonA = lab.Start(vtepA, dataplane, "run", "--config", WriteConfig("a.json", AccessAMac, UnderlayAMac, "192.0.2.1", "192.0.2.2", UnderlayBMac));
        var daemonB = lab.Start(vtepB, dataplane, "run", "--config", WriteConfig("b.json", AccessBMac, UnderlayBMac, "192.0.2.2", "192.0.2.1", UnderlayAMac));
        Thread.Sleep(1500);

        var (there, thereText) = Lab.TryRun(TimeSpan.FromSeconds(20), "ip", "netns", "exec", hostA, "ping", "-c", "4", "-i", "0.2", "-W", "2", "10.0.0.2");
        var (back, backText) = Lab.TryRun(TimeSpan.FromSeconds(20), "ip", "netns", "exec", hostB, "ping", "-c", "4", "-i", "0.2", "-W", "2", "10.0.0.1");
        string logA = Lab.Stop(daemonA), logB = Lab.Stop(daemonB);

        Assert.True(there == 0, $"A -> B ping failed:\n{thereText}\nVTEP A:\n{logA}\nVTEP B:\n{logB}");
        Assert.True(back == 0, $"B -> A ping failed:\n{backText}\nVTEP A:\n{logA}\nVTEP B:\n{logB}");
        foreach (string log in new[] { logA, logB })
        {
            Assert.Contains("conservation holds", log, StringComparison.Ordinal);
            Assert.Matches(@"event VxlanEncapsulated\s+([8-9]|\d{2,})", log); // 4 requests or replies each way, plus ARP
            Assert.Matches(@"event MacLearned\s+[1-9]", log);
        }
    }

    private string WriteConfig(string name, string accessMac, string underlayMac, string localVtep, string remoteVtep, string remoteUnderlayMac) =>
        VtepTestConfig.Write(Path.Combine(scratch, name), accessMac, underlayMac, localVtep, remoteVtep, remoteUnderlayMac);

    public void Dispose()
    {
        lab.Dispose();
        Directory.Delete(scratch, recursive: true);
    }
}
