namespace Dataplane.Tests.Integration;

/// <summary>
/// ovsdb-server and ovs-vswitchd started by a test in a network namespace, from a private database and run
/// directory under the test's scratch directory, never as the packaged service; the processes belong to the
/// <see cref="Lab"/>, which stops them by PID. Bridges use the userspace (netdev) datapath.
/// </summary>
public sealed class OpenVswitchProcess
{
    public const string Schema = "/usr/share/openvswitch/vswitch.ovsschema";

    private readonly string socket;

    private OpenVswitchProcess(string run, string socket, string control, string log)
    {
        RunDirectory = run;
        this.socket = socket;
        Control = control;
        LogPath = log;
    }

    public string RunDirectory { get; }

    /// <summary>ovs-vswitchd's unixctl socket (for ovs-appctl -t).</summary>
    public string Control { get; }

    public string LogPath { get; }

    /// <summary>What the daemon logged so far, for failure messages.</summary>
    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "(no OVS log)";

    /// <summary>Skips the test unless Open vSwitch's programs and schema are installed (scripts/setup.sh installs openvswitch-switch).</summary>
    public static void RequireInstalled()
    {
        foreach (string tool in new[] { "/usr/sbin/ovs-vswitchd", "/usr/sbin/ovsdb-server", "/usr/bin/ovs-vsctl", "/usr/bin/ovs-appctl", "/usr/bin/ovs-ofctl", "/usr/bin/ovsdb-tool", Schema })
        {
            Assert.SkipUnless(File.Exists(tool), $"needs Open vSwitch ({tool}; scripts/setup.sh installs openvswitch-switch)");
        }
    }

    public static OpenVswitchProcess Start(Lab lab, string ns, string scratch)
    {
        string run = Directory.CreateDirectory(Path.Combine(scratch, "ovs")).FullName;
        string db = Path.Combine(run, "conf.db"), socket = Path.Combine(run, "db.sock"), control = Path.Combine(run, "ovs-vswitchd.ctl");
        string log = Path.Combine(run, "ovs-vswitchd.log");
        Lab.Run("ovsdb-tool", "create", db, Schema);
        // Every file, socket and pid file under run: the variables point OVS's defaults there too (bridge .mgmt sockets).
        string[] env = ["env", $"OVS_RUNDIR={run}", $"OVS_DBDIR={run}", $"OVS_LOGDIR={run}", $"OVS_SYSCONFDIR={run}"];
        lab.Start(ns, [.. env, "ovsdb-server", db, $"--remote=punix:{socket}", $"--pidfile={Path.Combine(run, "ovsdb-server.pid")}",
            $"--unixctl={Path.Combine(run, "ovsdb-server.ctl")}", $"--log-file={Path.Combine(run, "ovsdb-server.log")}", "-vconsole:off"]);
        var ovs = new OpenVswitchProcess(run, socket, control, log);
        ovs.WaitFor(() => File.Exists(socket), "ovsdb-server's socket");
        ovs.Vsctl("--no-wait", "init");
        lab.Start(ns, [.. env, "ovs-vswitchd", $"unix:{socket}", $"--pidfile={Path.Combine(run, "ovs-vswitchd.pid")}", $"--unixctl={control}",
            $"--log-file={log}", "-vconsole:off"]);
        ovs.WaitFor(() => File.Exists(control), "ovs-vswitchd's control socket");
        return ovs;
    }

    /// <summary>ovs-vsctl on this database; without --no-wait it returns once ovs-vswitchd has applied the change.</summary>
    public string Vsctl(params string[] arguments) => Lab.Run(["ovs-vsctl", $"--db=unix:{socket}", "--timeout=15", .. arguments]);

    public string Appctl(params string[] arguments) => Lab.Run(["ovs-appctl", "-t", Control, "--timeout=15", .. arguments]);

    public (int ExitCode, string Output) TryAppctl(params string[] arguments) =>
        Lab.TryRun(TimeSpan.FromSeconds(15), ["ovs-appctl", "-t", Control, "--timeout=15", .. arguments]);

    /// <summary>ovs-ofctl on a bridge, through its management socket in the run directory, in OpenFlow 1.5 (the bridge must allow it).</summary>
    public string Ofctl(string command, string bridge, params string[] arguments) =>
        Lab.Run(["ovs-ofctl", "-O", "OpenFlow15", command, $"unix:{Path.Combine(RunDirectory, bridge + ".mgmt")}", .. arguments]);

    public void WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{what}: not there after 15 s\n{Log}");
            }

            Thread.Sleep(50);
        }
    }
}
