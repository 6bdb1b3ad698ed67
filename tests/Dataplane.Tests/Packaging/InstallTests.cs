using Dataplane.Tests.Golden;

namespace Dataplane.Tests.Packaging;

/// <summary>
/// <c>scripts/install</c>: the installed program runs where there is no .NET at all, replays the embedded example
/// byte for byte frame for frame like the golden case, and a second install or an uninstall does exactly what it says.
/// </summary>
[Collection(InstalledProgramCollection.Name)]
public sealed class InstallTests(InstalledProgram installed)
{
    /// <summary>No dotnet on PATH, no DOTNET_ROOT, nothing inherited: only the prefix's bin.</summary>
    private Dictionary<string, string?> NoDotnetEnvironment(string home) => new()
    {
        ["PATH"] = Path.Combine(installed.Prefix, "bin"),
        ["HOME"] = home,
    };

    [Fact]
    public void The_installed_program_reports_its_version_with_no_dotnet_on_the_host()
    {
        installed.Require();
        Assert.Equal("../lib/dataplane/dataplane", new FileInfo(installed.Program).LinkTarget);
        Assert.True(File.Exists(Path.Combine(installed.Library, "libdpdkshim.so")), "the DPDK shim is not installed next to the program");
        Assert.True(File.Exists(Path.Combine(installed.Library, "libcoreclr.so")), "not self-contained: no runtime in the installed directory");

        // env -i resolves `dataplane` through the PATH it is given: the prefix's bin and nothing else.
        var version = ProgramRun.Run(TimeSpan.FromSeconds(60), ["/usr/bin/env", "-i", $"PATH={Path.Combine(installed.Prefix, "bin")}", $"HOME={installed.Scratch}", "dataplane", "--version"],
            onlyThisEnvironment: true);
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.StartsWith($"dataplane {InstalledProgram.PropsVersion} (commit ", version.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_installed_program_replays_the_embedded_example_like_the_golden_case()
    {
        installed.Require();
        string work = Directory.CreateDirectory(Path.Combine(installed.Scratch, "replay")).FullName;
        string output = Path.Combine(work, "out.pcap");
        string punt = Path.Combine(work, "punt.pcap");

        var replay = ProgramRun.Run(TimeSpan.FromSeconds(60), ["/usr/bin/env", "dataplane", "replay", "--out", output, "--punt", punt],
            NoDotnetEnvironment(work), onlyThisEnvironment: true, workingDirectory: work);

        Assert.True(replay.ExitCode == 0, replay.ToString());
        Assert.Contains("conservation holds", replay.Output, StringComparison.Ordinal);
        var golden = new GoldenCase("quickstart-xtr");
        CaptureFrames.AssertEqual(CaptureFrames.Read(golden.ExpectedPath), CaptureFrames.Read(output), "installed replay");
        CaptureFrames.AssertEqual(CaptureFrames.Read(golden.ExpectedPuntPath), CaptureFrames.Read(punt), "installed replay punts");
    }

    [Fact]
    public void A_second_install_replaces_the_first_and_uninstall_removes_exactly_what_was_installed()
    {
        installed.Require();
        string prefix = Path.Combine(installed.Scratch, "again");
        string unrelated = Path.Combine(prefix, "bin", "someone-elses-tool");
        Directory.CreateDirectory(Path.GetDirectoryName(unrelated)!);
        File.WriteAllText(unrelated, "keep me");

        for (int round = 0; round < 2; round++)
        {
            var install = ProgramRun.Run(TimeSpan.FromMinutes(2), [InstalledProgram.Script("install"), "--prefix", prefix, "--from", installed.Library]);
            Assert.True(install.ExitCode == 0, install.ToString());
            var version = ProgramRun.Run(TimeSpan.FromSeconds(60), [Path.Combine(prefix, "bin", "dataplane"), "--version"]);
            Assert.True(version.ExitCode == 0, version.ToString());
        }

        Assert.False(Directory.Exists(Path.Combine(prefix, "lib", "dataplane.new")), "the staging copy was left behind");
        Assert.True(File.Exists(Path.Combine(prefix, "share", "man", "man1", "dataplane.1")));
        Assert.True(File.Exists(Path.Combine(prefix, "share", "bash-completion", "completions", "dataplane")));

        for (int round = 0; round < 2; round++)
        {
            var uninstall = ProgramRun.Run(TimeSpan.FromSeconds(60), [InstalledProgram.Script("install"), "--prefix", prefix, "--uninstall"]);
            Assert.True(uninstall.ExitCode == 0, uninstall.ToString());
        }

        var left = Directory.GetFileSystemEntries(prefix, "*", SearchOption.AllDirectories).Where(File.Exists).ToList();
        Assert.Equal([unrelated], left);
        Assert.False(Directory.Exists(Path.Combine(prefix, "lib", "dataplane")));
    }

    [Fact]
    public void A_dataplane_that_the_install_did_not_make_is_left_alone_with_one_line()
    {
        installed.Require();
        string prefix = Path.Combine(installed.Scratch, "foreign");
        string foreign = Path.Combine(prefix, "bin", "dataplane");
        Directory.CreateDirectory(Path.GetDirectoryName(foreign)!);
        File.WriteAllText(foreign, "#!/bin/sh\necho another dataplane\n");

        foreach (string[] arguments in new[] { new[] { "--prefix", prefix, "--from", installed.Library }, ["--prefix", prefix, "--uninstall"] })
        {
            var result = ProgramRun.Run(TimeSpan.FromSeconds(60), [InstalledProgram.Script("install"), .. arguments]);
            Assert.Equal(1, result.ExitCode);
            Assert.Equal($"install: {foreign} ", result.Error[..$"install: {foreign} ".Length]);
            Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
            Assert.Equal("#!/bin/sh\necho another dataplane\n", File.ReadAllText(foreign));
        }
    }

    [Theory]
    [InlineData("--prefix")]
    [InlineData("--bogus")]
    [InlineData("--from")]
    public void Usage_errors_exit_2_without_touching_anything(string argument)
    {
        var result = ProgramRun.Run(TimeSpan.FromSeconds(30), [InstalledProgram.Script("install"), argument]);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("install: ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_exits_0_and_names_every_option()
    {
        var result = ProgramRun.Run(TimeSpan.FromSeconds(30), [InstalledProgram.Script("install"), "--help"]);
        Assert.Equal(0, result.ExitCode);
        foreach (string option in new[] { "--prefix", "--from", "--uninstall" })
        {
            Assert.Contains(option, result.Output, StringComparison.Ordinal);
        }
    }
}
