namespace Dataplane.Tests.Integration;

/// <summary>
/// Our VTEP against a VTEP nobody here wrote: the Linux kernel's vxlan device. Host A (10.0.0.1) sits on our VTEP's
/// access port; the kernel VTEP (vx100, 10.0.0.2, VNI 100) is on the far side of the underlay 192.0.2.0/24. Ping and
/// a TCP transfer must work both ways, so our encapsulation is what the kernel accepts and the kernel's is what we
/// accept, and MAC learning / flooding to the single remote VTEP does its part.
/// </summary>
public sealed class KernelVxlanInteropTests : IDisposable
{
    private const string TcpServer = "import socket,hashlib,sys;s=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);s.bind(('0.0.0.0',5001));s.listen(1);s.settimeout(20);c,_=s.accept();c.settimeout(20);h=hashlib.sha256();n=0\nwhile True:\n d=c.recv(65536)\n if not d: break\n h.update(d);n+=len(d)\nprint(n,h.hexdigest())";
    private const string TcpClient = "import socket,hashlib,sys;d=bytes(i*7%251 for i in range(300000));c=socket.create_connection((sys.argv[1],5001),timeout=20);c.sendall(d);c.close();print(len(d),hashlib.sha256(d).hexdigest())";

    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-vxlan-interop-").FullName;
    private readonly Lab lab = new();

    [Fact]
    public void Ping_and_tcp_both_ways_with_a_kernel_vxlan_device()
    {
        Lab.RequireRoot();
        string host = lab.Namespace("h"), vtep = lab.Namespace("v"), kernel = lab.Namespace("k");
        const string HostMac = "02:00:00:00:01:0a", AccessMac = "02:00:00:00:01:01", UnderlayMac = "02:00:00:00:02:01", KernelMac = "02:00:00:00:02:02";
        lab.Link(host, "eth0", HostMac, vtep, "acc", AccessMac);
        lab.Link(vtep, "und", UnderlayMac, kernel, "eth0", KernelMac);
        lab.InNamespace(host, "ip", "link", "set", "eth0", "mtu", "1450"); // the kernel vxlan device's MTU: 1500 - 50
        lab.InNamespace(host, "ip", "addr", "add", "10.0.0.1/24", "dev", "eth0");
        lab.InNamespace(kernel, "ip", "addr", "add", "192.0.2.2/24", "dev", "eth0");
        lab.InNamespace(kernel, "ip", "link", "add", "vx100", "type", "vxlan", "id", "100", "local", "192.0.2.2", "remote", "192.0.2.1", "dstport", "4789", "dev", "eth0");
        lab.InNamespace(kernel, "ip", "addr", "add", "10.0.0.2/24", "dev", "vx100");
        lab.InNamespace(kernel, "ip", "link", "set", "vx100", "up");
        lab.InNamespace(kernel, "ip", "neigh", "replace", "192.0.2.1", "lladdr", UnderlayMac, "dev", "eth0");

        // Checksum offload off where frames cross our AF_PACKET ports: a veth hands packet sockets TCP/UDP with the
        // checksum still partial (to be filled by hardware that does not exist), and the far kernel would drop them.
        // docs/ports/af_packet.md asks the same of a real deployment.
        lab.InNamespace(host, "ethtool", "-K", "eth0", "tx", "off");
        lab.InNamespace(kernel, "ethtool", "-K", "eth0", "tx", "off");
        lab.InNamespace(kernel, "ethtool", "-K", "vx100", "tx", "off");

        string config = VtepTestConfig.Write(Path.Combine(scratch, "vtep.json"), AccessMac, UnderlayMac, "192.0.2.1", "192.0.2.2", KernelMac);
        var daemon = lab.Start(vtep, Path.Combine(AppContext.BaseDirectory, "dataplane"), "run", "--config", config);
        Thread.Sleep(1500);

        var (pingOut, pingOutText) = Lab.TryRun(TimeSpan.FromSeconds(20), "ip", "netns", "exec", host, "ping", "-c", "4", "-i", "0.2", "-W", "2", "10.0.0.2");
        var (pingBack, pingBackText) = Lab.TryRun(TimeSpan.FromSeconds(20), "ip", "netns", "exec", kernel, "ping", "-c", "4", "-i", "0.2", "-W", "2", "10.0.0.1");
        string toHost = Transfer(server: host, client: kernel, serverAddress: "10.0.0.1");
        string toKernel = Transfer(server: kernel, client: host, serverAddress: "10.0.0.2");
        string log = Lab.Stop(daemon);

        Assert.True(pingOut == 0, $"host -> kernel VTEP ping failed:\n{pingOutText}\n{log}");
        Assert.True(pingBack == 0, $"kernel VTEP -> host ping failed:\n{pingBackText}\n{log}");
        Assert.True(toHost.Length > 0, $"TCP kernel -> host failed\n{log}");
        Assert.True(toKernel.Length > 0, $"TCP host -> kernel failed\n{log}");
        Assert.Contains("conservation holds", log, StringComparison.Ordinal);
        Assert.Matches(@"event VxlanEncapsulated\s+\d{2,}", log);
        Assert.Matches(@"event VxlanDecapsulated\s+\d{2,}", log);
    }

    /// <summary>Sends 300 kB over TCP and checks the server got the same bytes; returns the digest line, or "" on failure.</summary>
    private string Transfer(string server, string client, string serverAddress)
    {
        var listener = lab.Start(server, "/usr/bin/python3", "-c", TcpServer);
        Thread.Sleep(500);
        var (exitCode, sent) = Lab.TryRun(TimeSpan.FromSeconds(30), "ip", "netns", "exec", client, "/usr/bin/python3", "-c", TcpClient, serverAddress);
        bool done = listener.WaitForExit(TimeSpan.FromSeconds(25));
        string received = done ? listener.StandardOutput.ReadToEnd().Trim() : "";
        return exitCode == 0 && received.Length > 0 && received == sent.Trim() ? received : "";
    }

    public void Dispose()
    {
        lab.Dispose();
        Directory.Delete(scratch, recursive: true);
    }
}
