using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Tests.Golden;

namespace Dataplane.Tests.Host;

/// <summary>
/// <c>dataplane run</c> stops on SIGINT even when it was started with SIGINT ignored, as a shell script's background
/// job is (<c>dataplane run ... &amp;</c>): before the fix such a daemon never saw the SIGINT (.NET keeps an inherited
/// ignore) and ran until killed, which is how a daemon that did not exit within 15 s of SIGINT was reproduced here.
/// Capture-file ports, so no root is needed.
/// </summary>
public sealed class RunSignalTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-run-signal-").FullName;

    [Fact]
    public async Task A_daemon_started_with_sigint_ignored_still_stops_on_sigint()
    {
        Assert.SkipUnless(File.Exists("/bin/bash"), "needs /bin/bash to start the daemon with SIGINT ignored");
        var goldenCase = new GoldenCase("quickstart-xtr");
        string configPath = PcapPortsConfig.Write(goldenCase.ConfigPath, goldenCase.InputPath, scratch);

        // `trap "" INT` sets SIGINT to SIG_IGN, which exec passes on: what a non-interactive shell does to `cmd &`.
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "-c", "trap '' INT; exec \"$0\" \"$@\"", Path.Combine(AppContext.BaseDirectory, "dataplane"), "run", "--config", configPath, "--duration", "60" })
        {
            start.ArgumentList.Add(argument);
        }

        using var daemon = Process.Start(start)!;
        try
        {
            string? first = daemon.StandardOutput.ReadLine();
            Assert.True(first?.Contains("SIGINT or SIGTERM stops", StringComparison.Ordinal) == true, $"did not start: {first}");
            string status = File.ReadAllText($"/proc/{daemon.Id}/status");
            Assert.Contains("SigCgt", status, StringComparison.Ordinal);
            Assert.True((SignalMask(status, "SigCgt") & (1UL << 1)) != 0, $"SIGINT is not caught by the daemon:\n{status}");

            var stdout = daemon.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = daemon.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            var clock = Stopwatch.StartNew();
            Assert.Equal(0, Integration.Lab.TryRun(TimeSpan.FromSeconds(5), "kill", "-INT", daemon.Id.ToString(CultureInfo.InvariantCulture)).ExitCode);
            Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(5)), "no exit within 5 s of SIGINT");
            var output = new StringBuilder(await stdout).Append(await stderr).ToString();
            Assert.True(daemon.ExitCode == 0, $"exit code {daemon.ExitCode} after {clock.ElapsedMilliseconds} ms:\n{output}");
            Assert.Contains("conservation holds", output, StringComparison.Ordinal);
            Assert.Contains("SIGINT was inherited as ignored", output, StringComparison.Ordinal);
        }
        finally
        {
            if (!daemon.HasExited)
            {
                daemon.Kill();
                daemon.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
    }

    private static ulong SignalMask(string status, string field) =>
        ulong.Parse(status.Split('\n').First(l => l.StartsWith(field + ":", StringComparison.Ordinal))[(field.Length + 1)..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    public void Dispose() => Directory.Delete(scratch, recursive: true);
}
