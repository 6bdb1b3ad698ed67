using System.Diagnostics;

namespace Dataplane.Tests.AfPacket;

/// <summary>
/// A veth pair made for one test: <see cref="HostInterface"/> stays in the root namespace with no address (the port
/// opens it), <see cref="PeerInterface"/> lives in a network namespace of its own. Names are unique per process and
/// test (<c>dpt-&lt;pid&gt;-&lt;n&gt;</c>), and Dispose removes them by name.
/// </summary>
public sealed class VethNamespace : IDisposable
{
    private static int _sequence;

    public VethNamespace()
    {
        var n = Interlocked.Increment(ref _sequence);
        if (n == 1)
        {
            RemoveLeftoversOfDeadRuns();
        }
        // Interface names hold 15 bytes: "dpt-" + a pid of up to 7 digits + "-" + n.
        var pid = Environment.ProcessId;
        Namespace = $"dpt-{pid}-{n}";
        HostInterface = $"dpt-{pid}-{n}";
        PeerInterface = $"dpp-{pid}-{n}";
        try
        {
            Ip($"netns add {Namespace}");
            Ip($"link add {HostInterface} type veth peer name {PeerInterface}");
            Ip($"link set {PeerInterface} netns {Namespace}");
            // No IPv6 on either end: no router solicitations or MLD reports to mix with the test's frames.
            Run("sysctl", $"-qw net.ipv6.conf.{HostInterface.Replace('.', '/')}.disable_ipv6=1");
            Run("ip", $"netns exec {Namespace} sysctl -qw net.ipv6.conf.all.disable_ipv6=1");
            Ip($"link set {HostInterface} address 02:00:00:00:01:01 up");
            Ip($"-n {Namespace} link set {PeerInterface} address 02:00:00:00:02:02 up");
            Ip($"-n {Namespace} addr add 10.213.0.2/24 dev {PeerInterface}");
            Ip($"-n {Namespace} link set lo up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Namespace { get; }

    public string HostInterface { get; }

    public string PeerInterface { get; }

    /// <summary>Sets the MTU of both ends of the pair.</summary>
    public void SetMtu(int mtu)
    {
        Ip($"link set {HostInterface} mtu {mtu}");
        Ip($"-n {Namespace} link set {PeerInterface} mtu {mtu}");
    }

    /// <summary>Runs a command in the root namespace (tc, ip) for a test's own setup; throws with its error on failure.</summary>
    public static void Command(string program, string arguments) => Run(program, arguments);

    /// <summary>Runs a command and returns what it printed; throws with its error on failure.</summary>
    public static string Output(string program, string arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(20)) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {arguments} failed: {stderr.Result}");
        }
        return output;
    }

    /// <summary>Root can make namespaces and open packet sockets; others skip with a reason.</summary>
    public static void RequireRoot() =>
        Assert.SkipUnless(Environment.IsPrivilegedProcess && (File.Exists("/usr/sbin/ip") || File.Exists("/sbin/ip")) && File.Exists("/usr/bin/python3"),
            "AF_PACKET tests need root (veth pairs, network namespaces, CAP_NET_RAW) iproute2 and /usr/bin/python3: run scripts/test as root");

    public void Dispose()
    {
        Remove(HostInterface, Namespace);
    }

    private static void Remove(string hostInterface, string name)
    {
        TryRun("ip", $"link del {hostInterface}");
        TryRun("ip", $"netns del {name}");
    }

    /// <summary>
    /// Removes what an earlier test process left behind when it died before its Dispose (a crash, a kill): only names
    /// of our own pattern whose process is gone.
    /// </summary>
    private static void RemoveLeftoversOfDeadRuns()
    {
        if (!Directory.Exists("/run/netns"))
        {
            return;
        }
        foreach (var path in Directory.GetFiles("/run/netns", "dpt-*"))
        {
            var name = Path.GetFileName(path);
            var parts = name.Split('-');
            if (parts.Length == 3 && int.TryParse(parts[1], out var pid) && int.TryParse(parts[2], out _)
                && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
            {
                Remove(name, name);
            }
        }
    }

    private static void Ip(string arguments) => Run("ip", arguments);

    private static void Run(string program, string arguments)
    {
        if (!TryRun(program, arguments, out var error))
        {
            throw new InvalidOperationException($"{program} {arguments} failed: {error}");
        }
    }

    private static bool TryRun(string program, string arguments) => TryRun(program, arguments, out _);

    private static bool TryRun(string program, string arguments, out string error)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            process.Kill();
            error = "timed out";
            return false;
        }
        error = stderr.Result;
        return process.ExitCode == 0;
    }
}
