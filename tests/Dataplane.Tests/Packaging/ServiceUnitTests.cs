using Dataplane.Forwarding.Configuration;
using Dataplane.Host.Ctl;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Packaging;

/// <summary>
/// packaging/dataplane.service and the example configuration it starts with: systemd accepts the unit (pointed at
/// the installed program), and the directories systemd makes for it are the ones the configuration uses.
/// </summary>
[Collection(InstalledProgramCollection.Name)]
public sealed class ServiceUnitTests(InstalledProgram installed)
{
    private static readonly string Packaging = Path.Combine(RepositoryPaths.Root, "packaging");
    private static readonly string UnitText = File.ReadAllText(Path.Combine(Packaging, "dataplane.service"));

    [Fact]
    public void Systemd_analyze_verify_accepts_the_unit_run_on_the_installed_program()
    {
        installed.Require();
        Assert.SkipUnless(ProgramRun.OnPath("systemd-analyze"), "needs systemd-analyze (package systemd)");

        var accepted = Verify(UnitText.Replace("ExecStart=/usr/bin/dataplane ", $"ExecStart={installed.Program} ", StringComparison.Ordinal), "accepted");
        Assert.True(accepted.ExitCode == 0 && accepted.Error.Length == 0, accepted.ToString());

        // The same check fails on a program that is not there: the acceptance above is not vacuous.
        var refused = Verify(UnitText.Replace("ExecStart=/usr/bin/dataplane ", $"ExecStart={installed.Scratch}/absent/dataplane ", StringComparison.Ordinal), "refused");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("is not executable", refused.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_unit_is_a_notify_service_that_reloads_with_sighup_and_keeps_the_packet_capabilities()
    {
        var settings = UnitText.Split('\n').Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2)).ToLookup(kv => kv[0], kv => kv[1]);
        Assert.Equal(["notify"], settings["Type"]);
        Assert.Equal(["/usr/bin/dataplane run --config /etc/dataplane/dataplane.json"], settings["ExecStart"]);
        Assert.Equal(["/bin/kill -HUP $MAINPID"], settings["ExecReload"]);
        var capabilities = settings["CapabilityBoundingSet"].Single().Split(' ');
        foreach (string capability in new[] { "CAP_NET_RAW", "CAP_NET_ADMIN", "CAP_IPC_LOCK" })
        {
            Assert.Contains(capability, capabilities);
        }

        // The .NET JIT writes code at run time: this hardening would kill the daemon at start.
        Assert.Empty(settings["MemoryDenyWriteExecute"]);
    }

    [Fact]
    public void The_example_configuration_uses_the_directories_the_unit_makes_and_the_socket_ctl_calls_by_default()
    {
        var settings = UnitText.Split('\n').Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#')).Select(l => l.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);

        var control = DataplaneConfigFile.Load(Path.Combine(Packaging, "dataplane.json")).Control;
        Assert.NotNull(control);

        // systemd: RuntimeDirectory=X is /run/X, StateDirectory=X is /var/lib/X (systemd.exec(5)).
        Assert.Equal($"/run/{settings["RuntimeDirectory"]}/control.sock", control.Socket);
        Assert.Equal(CtlOptions.DefaultSocket, control.Socket);
        Assert.Equal($"/var/lib/{settings["StateDirectory"]}", control.StateDirectory);
        Assert.All(DataplaneConfigFile.Load(Path.Combine(Packaging, "dataplane.json")).Ports, port => Assert.Equal("af_packet", port.Driver));
    }

    [Fact]
    public void The_man_page_describes_every_command_the_program_lists()
    {
        string manPage = File.ReadAllText(Path.Combine(Packaging, "dataplane.1"));
        var help = ProgramRun.Run(TimeSpan.FromSeconds(60), [Path.Combine(AppContext.BaseDirectory, "dataplane"), "--help"]);
        Assert.True(help.ExitCode == 0, help.ToString());

        var commands = CommandsIn(help.Output);
        Assert.Contains("replay", commands);
        Assert.All(commands, command => Assert.Contains($"\n.B {command}", manPage, StringComparison.Ordinal));
    }

    /// <summary>The first word of each line of the help's command list ("Commands:" up to the next blank line).</summary>
    private static List<string> CommandsIn(string help)
    {
        var lines = help.Split('\n');
        int start = Array.FindIndex(lines, l => l.TrimEnd().Equals("commands:", StringComparison.OrdinalIgnoreCase));
        Assert.True(start >= 0, $"no command list in:\n{help}");
        return lines.Skip(start + 1).TakeWhile(l => l.Trim().Length > 0)
            .Where(l => l.StartsWith("  ", StringComparison.Ordinal) && !char.IsWhiteSpace(l[2]))
            .Select(l => l.Trim().Split(' ')[0]).ToList();
    }

    private ProgramResult Verify(string unit, string name)
    {
        string directory = Directory.CreateDirectory(Path.Combine(installed.Scratch, "unit-" + name)).FullName;
        string path = Path.Combine(directory, "dataplane.service");
        File.WriteAllText(path, unit);
        return ProgramRun.Run(TimeSpan.FromSeconds(60), ["systemd-analyze", "verify", "--man=no", path]);
    }
}
