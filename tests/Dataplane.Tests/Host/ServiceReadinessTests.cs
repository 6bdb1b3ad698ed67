using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Dataplane.Host.Run;
using Dataplane.Tests.Control;

namespace Dataplane.Tests.Host;

/// <summary>
/// <c>dataplane run</c> under a Type=notify service manager: the test plays systemd's part with its own datagram
/// socket named by NOTIFY_SOCKET. READY=1 must mean "usable": at the moment it arrives the control socket answers at
/// once (no retry) with the state the journal restored, and the ports are open; STOPPING=1 follows SIGTERM.
/// Capture-file ports, so no root is needed.
/// </summary>
public sealed class ServiceReadinessTests : IDisposable
{
    private const string RestoredEid = "[8]10.77.0.0/24";
    private readonly DaemonScratch scratch = new("dp-notify-");

    [Fact]
    public void Ready_arrives_once_the_ports_are_open_and_the_journal_is_restored_and_stopping_follows_sigterm()
    {
        // A first run journals one change made over the control socket; the second run must have it back before READY=1.
        var first = scratch.Start();
        var added = scratch.Call("mapcache.add", $"{{\"eid\":\"{RestoredEid}\",\"locators\":[{{\"address\":\"198.51.100.7\"}}]}}");
        Assert.True(added["error"] is null, added.ToJsonString());
        DaemonScratch.Kill9(first);

        string socketPath = Path.Combine(scratch.Directory, "notify.sock");
        using var manager = BoundDatagramSocket(socketPath);
        var daemon = scratch.Start(new Dictionary<string, string> { [ServiceManagerNotifier.SocketVariable] = socketPath });

        var ready = Receive(manager, TimeSpan.FromSeconds(60));
        Assert.Equal("1", ready.GetValueOrDefault("READY"));
        Assert.Equal(daemon.Id.ToString(CultureInfo.InvariantCulture), ready.GetValueOrDefault("MAINPID"));
        Assert.Contains("port(s)", ready.GetValueOrDefault("STATUS") ?? "", StringComparison.Ordinal);

        // Right now, with no retry: the control socket listens and the restored mapping is in the map-cache.
        using (var control = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveTimeout = 30_000 })
        {
            control.Connect(new UnixDomainSocketEndPoint(scratch.SocketPath));
            ControlFixture.Send(control, DaemonScratch.Line(1, "mapcache.list", "{}"));
            var reply = ControlFixture.ReadReply(control)!;
            var eids = reply["result"]!.AsArray().Select(e => e!["eid"]!.GetValue<string>()).ToList();
            Assert.Contains(RestoredEid, eids);
        }

        Assert.True(File.Exists(Path.Combine(scratch.Directory, "tx0.pcap")), "READY=1 before the first port's capture file was opened");

        Assert.Equal(0, Integration.Lab.TryRun(TimeSpan.FromSeconds(5), "kill", "-TERM", daemon.Id.ToString(CultureInfo.InvariantCulture)).ExitCode);
        var stopping = Receive(manager, TimeSpan.FromSeconds(30));
        Assert.Equal("1", stopping.GetValueOrDefault("STOPPING"));
        Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(30)), "no exit within 30 s of SIGTERM");
        Assert.Equal(0, daemon.ExitCode);
    }

    [Fact]
    public void An_abstract_namespace_notify_socket_written_with_an_at_sign_is_reached()
    {
        string name = $"dataplane-notify-test-{Environment.ProcessId}-{Guid.NewGuid():N}";
        using var manager = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        manager.Bind(new UnixDomainSocketEndPoint("\0" + name));
        var daemon = scratch.Start(new Dictionary<string, string> { [ServiceManagerNotifier.SocketVariable] = "@" + name });

        var ready = Receive(manager, TimeSpan.FromSeconds(60));
        Assert.Equal("1", ready.GetValueOrDefault("READY"));
        Assert.Equal(daemon.Id.ToString(CultureInfo.InvariantCulture), ready.GetValueOrDefault("MAINPID"));
    }

    [Fact]
    public void Reloading_carries_the_CLOCK_MONOTONIC_time_in_microseconds()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/python3"), "needs /usr/bin/python3 to read CLOCK_MONOTONIC independently");
        string socketPath = Path.Combine(scratch.Directory, "reload.sock");
        using var manager = BoundDatagramSocket(socketPath);
        using var notifier = new ServiceManagerNotifier(socketPath, problem => Assert.Fail(problem));

        long before = PythonMonotonicMicroseconds();
        notifier.Reloading("reloading /etc/dataplane/dataplane.json");
        long after = PythonMonotonicMicroseconds();

        var message = Receive(manager, TimeSpan.FromSeconds(10));
        Assert.Equal("1", message.GetValueOrDefault("RELOADING"));
        Assert.Equal("reloading /etc/dataplane/dataplane.json", message.GetValueOrDefault("STATUS"));
        Assert.InRange(long.Parse(message["MONOTONIC_USEC"], CultureInfo.InvariantCulture), before, after);
    }

    [Fact]
    public void A_status_with_a_newline_stays_one_assignment()
    {
        string socketPath = Path.Combine(scratch.Directory, "status.sock");
        using var manager = BoundDatagramSocket(socketPath);
        using var notifier = new ServiceManagerNotifier(socketPath, problem => Assert.Fail(problem));

        notifier.Status("two\nlines");

        Assert.Equal("STATUS=two lines", ReceiveText(manager, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Without_a_service_manager_nothing_is_sent_and_a_relative_name_is_reported()
    {
        using var silent = new ServiceManagerNotifier(null, problem => Assert.Fail(problem));
        Assert.False(silent.Enabled);
        silent.Ready("no one listens");

        var problems = new List<string>();
        using var relative = new ServiceManagerNotifier("notify.sock", problems.Add);
        Assert.False(relative.Enabled);
        Assert.Equal(["NOTIFY_SOCKET: 'notify.sock' is neither an absolute path nor an @abstract name; no readiness notifications"], problems);

        // A path where nobody listens: one report, and the daemon carries on.
        using var absent = new ServiceManagerNotifier(Path.Combine(scratch.Directory, "nobody.sock"), problems.Add);
        absent.Ready("first");
        absent.Stopping("second");
        Assert.Equal(2, problems.Count);
        Assert.StartsWith("NOTIFY_SOCKET: cannot notify the service manager: ", problems[1], StringComparison.Ordinal);
    }

    private static Socket BoundDatagramSocket(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    private static Dictionary<string, string> Receive(Socket socket, TimeSpan timeout) =>
        ReceiveText(socket, timeout).Split('\n').Select(line => line.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);

    private static string ReceiveText(Socket socket, TimeSpan timeout)
    {
        Assert.True(socket.Poll(timeout, SelectMode.SelectRead), $"no notification within {timeout.TotalSeconds} s");
        var buffer = new byte[4096];
        int length = socket.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    private static long PythonMonotonicMicroseconds()
    {
        var result = Integration.Lab.TryRun(TimeSpan.FromSeconds(10), "/usr/bin/python3", "-c", "import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000)");
        Assert.Equal(0, result.ExitCode);
        return long.Parse(result.Output.Trim(), CultureInfo.InvariantCulture);
    }

    public void Dispose() => scratch.Dispose();
}
