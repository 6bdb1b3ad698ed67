using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Dataplane.Tests.Control;
using Dataplane.Tests.Host.Cli;

namespace Dataplane.Tests.Verification;

/// <summary>
/// <c>dataplane verify --state</c> over a state directory a real <c>dataplane run</c> wrote: an unreachable map-cache
/// entry added over the control socket is found (from the snapshot of a clean stop and from the journal left by a
/// kill -9), named as a state entry, and the directory is byte for byte and date for date as it was.
/// </summary>
public sealed class VerifyStateTests : IDisposable
{
    // The control tests' configuration with the IPv4 default route narrowed, so an RLOC in 203.0.113.0/24 has no route.
    private readonly DaemonScratch scratch = new("dpv-state-", config =>
    {
        config["routes"]![0]!["prefix"] = "198.51.100.0/24";
        VerifyConfigs.AddRoute(config, "192.0.2.0/24", "192.0.2.254", "rloc-side");
    });

    private string StateDirectory => Path.Combine(scratch.Directory, "state");

    [Fact]
    public void Entries_added_over_the_socket_are_verified_from_the_snapshot_and_the_journal_without_touching_them()
    {
        var (cleanExit, cleanOutput, cleanError) = CliRun.Child(null, "verify", "--config", scratch.ConfigPath);
        Assert.True(cleanExit == 0, $"the configuration alone: exit {cleanExit}\n{cleanOutput}{cleanError}");
        Assert.Equal("", cleanOutput);

        // First run: one entry, then a clean stop (SIGTERM), which writes the snapshot.
        var daemon = scratch.Start();
        AddMapping("[7]10.77.0.0/16", "203.0.113.7");
        Assert.Equal(0, Integration.Lab.TryRun(TimeSpan.FromSeconds(5), "kill", "-TERM", daemon.Id.ToString(CultureInfo.InvariantCulture)).ExitCode);
        Assert.True(daemon.WaitForExit(30_000), "the daemon did not stop on SIGTERM");
        // A clean stop compacts it into the snapshot; a stop that ran past its bound under load (exit 3) leaves it in
        // the journal. Either way it is persisted, which is what verify reads.
        string persisted = File.ReadAllText(Path.Combine(StateDirectory, "snapshot.json")) + File.ReadAllText(Path.Combine(StateDirectory, "journal.jsonl"));
        Assert.True(persisted.Contains("10.77.0.0/16", StringComparison.Ordinal), $"not persisted (daemon exit {daemon.ExitCode})");

        // Second run: another entry, then kill -9: it is only in the journal.
        daemon = scratch.Start();
        AddMapping("[7]10.78.0.0/16", "203.0.113.8");
        AddMapping("[7]10.79.0.0/16", "198.51.100.9"); // reachable: no finding
        DaemonScratch.Kill9(daemon);
        Assert.Contains("10.78.0.0/16", File.ReadAllText(Path.Combine(StateDirectory, "journal.jsonl")), StringComparison.Ordinal);

        string before = Fingerprint(StateDirectory);
        var (exit, output, error) = CliRun.Child(null, "verify", "--config", scratch.ConfigPath, "--state", StateDirectory, "--json");
        Assert.Equal(before, Fingerprint(StateDirectory));

        Assert.True(exit == 1, $"exit {exit}\n{output}{error}");
        var findings = JsonNode.Parse(output)!.AsArray();
        Assert.Equal(
            ["error unreachable-rloc state:mapcache[[7]10.77.0.0/16]", "error unreachable-rloc state:mapcache[[7]10.78.0.0/16]"],
            findings.Select(f => $"{f!["severity"]} {f["code"]} {f["path"]}").Order(StringComparer.Ordinal).ToArray());
        Assert.Contains("203.0.113.7", findings.Select(f => f!["message"]!.GetValue<string>()).Single(m => m.Contains("10.77.", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    private void AddMapping(string eid, string rloc)
    {
        var reply = scratch.Call("mapcache.add", $"{{\"eid\":\"{eid}\",\"locators\":[{{\"address\":\"{rloc}\"}}]}}");
        Assert.True(reply["error"] is null, reply.ToJsonString());
    }

    /// <summary>Every file's name, size, modification time and SHA-256: any write, even of the same bytes, changes it.</summary>
    private static string Fingerprint(string directory)
    {
        var text = new StringBuilder();
        foreach (string file in Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            text.Append(CultureInfo.InvariantCulture, $"{Path.GetRelativePath(directory, file)} {info.Length} {info.LastWriteTimeUtc.Ticks} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)))}\n");
        }

        return text.ToString();
    }

    public void Dispose() => scratch.Dispose();
}
