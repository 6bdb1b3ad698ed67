using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Packaging;

/// <summary>
/// scripts/dataplane builds only when its inputs changed. Shims first on PATH record every call of dotnet and apt-get;
/// the dotnet shim plays `dotnet build -o DIR` by copying the program this test run was built with (the build itself
/// is what every other test exercises: here the question is only whether the launcher asks for one). The first call
/// builds, the second runs the program without calling either, and a fingerprint that no longer matches builds again.
/// The output goes to a scratch directory ($DATAPLANE_BUILD_DIR), never into the checkout's.
/// </summary>
public sealed class LauncherScriptTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-launcher-").FullName;

    [Fact]
    public void The_second_call_runs_the_program_without_apt_or_a_build()
    {
        string? realDotnet = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "dotnet")).FirstOrDefault(File.Exists);
        Assert.SkipWhen(realDotnet is null, "needs dotnet on PATH to build");
        Assert.SkipUnless(ProgramRun.Run(TimeSpan.FromSeconds(30), ["pkg-config", "--exists", "libdpdk"]).ExitCode == 0, "needs libdpdk-dev for the native shim (scripts/setup.sh installs it)");

        string shims = Directory.CreateDirectory(Path.Combine(scratch, "shims")).FullName;
        string calls = Path.Combine(scratch, "calls.log");
        WriteShim(shims, "dotnet", $"""
            echo "dotnet $*" >> '{calls}'
            if [ "$1" = build ]; then
              previous=""; out=""
              for argument in "$@"; do [ "$previous" = "-o" ] && out="$argument"; previous="$argument"; done
              mkdir -p "$out" && cd '{AppContext.BaseDirectory}' && cp dataplane dataplane.deps.json dataplane.runtimeconfig.json *.dll "$out"/
              exit
            fi
            exec '{realDotnet}' "$@"
            """);
        foreach (string apt in new[] { "apt-get", "apt" })
        {
            WriteShim(shims, apt, $"echo \"{apt} $*\" >> '{calls}'\nexit 1");
        }

        var environment = new Dictionary<string, string?>
        {
            ["PATH"] = $"{shims}:{Environment.GetEnvironmentVariable("PATH")}",
            ["DATAPLANE_BUILD_DIR"] = Path.Combine(scratch, "host"),
        };
        string launcher = Path.Combine(RepositoryPaths.Root, "scripts", "dataplane");
        string replayOut = Path.Combine(scratch, "out.pcap");
        string[] replay = [launcher, "replay", "--out", replayOut, "--punt", Path.Combine(scratch, "punt.pcap")];

        var first = ProgramRun.Run(TimeSpan.FromMinutes(2), replay, environment);
        Assert.True(first.ExitCode == 0, first.ToString());
        var firstCalls = File.ReadAllLines(calls);
        Assert.Contains(firstCalls, call => call.StartsWith("dotnet build ", StringComparison.Ordinal));
        Assert.DoesNotContain(firstCalls, call => call.StartsWith("apt", StringComparison.Ordinal));
        string fingerprint = Path.Combine(scratch, "host", ".inputs-fingerprint");
        Assert.True(File.Exists(fingerprint), "no fingerprint of the build's inputs next to it");
        File.Delete(replayOut);

        var second = ProgramRun.Run(TimeSpan.FromMinutes(2), replay, environment);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(firstCalls, File.ReadAllLines(calls));
        Assert.Contains("conservation holds", second.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(replayOut), "the second call did not run the program");

        // Inputs that no longer match the fingerprint (here: the fingerprint no longer matches them) build again.
        File.WriteAllText(fingerprint, "stale\n");
        var third = ProgramRun.Run(TimeSpan.FromMinutes(2), replay, environment);
        Assert.True(third.ExitCode == 0, third.ToString());
        Assert.Equal(firstCalls.Count(c => c.StartsWith("dotnet build ", StringComparison.Ordinal)) + 1, File.ReadAllLines(calls).Count(c => c.StartsWith("dotnet build ", StringComparison.Ordinal)));
        Assert.NotEqual("stale\n", File.ReadAllText(fingerprint));
    }

    private static void WriteShim(string directory, string name, string body)
    {
        string path = Path.Combine(directory, name);
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        Assert.Equal(0, ProgramRun.Run(TimeSpan.FromSeconds(10), ["chmod", "0755", path]).ExitCode);
    }

    public void Dispose() => Directory.Delete(scratch, recursive: true);
}
