using System.Diagnostics;
using System.Text.Json;
using Dataplane.Fuzz.Targets;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Fuzz;

/// <summary>
/// The coverage-guided short form, as CI runs it: scripts/fuzz publishes the targets, instruments them with SharpFuzz
/// and runs AFL++ on each family from the committed corpus. First the harness must catch the planted crash of the
/// selftest target (so a silent harness cannot pass), then every family must run its budget without a crash or a
/// hang, at a real execution count, and find inputs beyond its seeds (coverage feedback reaches our code).
/// </summary>
public class CoverageGuidedFuzzTests
{
    private const int SecondsPerFamily = 15;
    private const long MinimumExecutions = 10_000;

    [Fact]
    public void Afl_catches_the_planted_crash_and_no_family_crashes_or_hangs()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/afl-fuzz") || File.Exists("/usr/local/bin/afl-fuzz"), "afl-fuzz is not installed (scripts/setup.sh installs Debian's afl++)");
        string output = Directory.CreateTempSubdirectory($"dataplane-fuzz-{Environment.ProcessId}-").FullName;
        try
        {
            var (selftestExit, selftestLog) = RunFuzz("--target", "selftest", "--output", output);
            Assert.True(selftestExit == 1, $"scripts/fuzz must fail on the planted crash (exit {selftestExit}):\n{selftestLog}");
            var selftest = Assert.Single(Report(output));
            string crash = Assert.Single(selftest.GetProperty("crash_inputs").EnumerateArray()).GetString()!;
            Assert.StartsWith("CRS", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(crash)), StringComparison.Ordinal);

            var (exit, log) = RunFuzz("--target", "all", "--seconds", SecondsPerFamily.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-build", "--output", output);
            Assert.True(exit == 0, $"scripts/fuzz failed (exit {exit}):\n{log}");
            var rows = Report(output);
            Assert.Equal(FuzzTargets.Families, rows.Select(r => r.GetProperty("target").GetString()));
            foreach (var row in rows)
            {
                string target = row.GetProperty("target").GetString()!;
                Assert.True(row.GetProperty("completed").GetBoolean(), $"{target}: afl-fuzz did not finish\n{log}");
                Assert.True(row.GetProperty("saved_crashes").GetInt32() == 0, $"{target}: crashes {row.GetProperty("crash_inputs")}\n{log}");
                Assert.True(row.GetProperty("saved_hangs").GetInt32() == 0, $"{target}: hangs {row.GetProperty("hang_inputs")}\n{log}");
                Assert.True(row.GetProperty("execs_done").GetInt64() >= MinimumExecutions, $"{target}: only {row.GetProperty("execs_done")} executions\n{log}");
                Assert.True(row.GetProperty("corpus_found").GetInt32() > 0, $"{target}: coverage never grew beyond the {row.GetProperty("seeds")} seeds\n{log}");
            }
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static List<JsonElement> Report(string output)
    {
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
        return [.. report.RootElement.GetProperty("targets").EnumerateArray().Select(row => row.Clone())];
    }

    private static (int ExitCode, string Log) RunFuzz(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(RepositoryPaths.Root, "scripts", "fuzz"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(6)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"scripts/fuzz {string.Join(' ', arguments)} ran over 6 minutes:\n{stdout}");
        }

        return (process.ExitCode, stdout + stderr.Result);
    }
}
