using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Dataplane.Tests.Integration;

namespace Dataplane.Tests.Control;

/// <summary>
/// <c>dataplane run --log-format json</c> on capture-file ports: every stderr line is one JSON object with a timestamp,
/// level, category and message; a refused request (logged at debug) does not show at the default level and shows once
/// <c>log.set-level debug</c> has been called over the socket; the daemon stops on SIGTERM with its lines still JSON.
/// </summary>
public sealed class DaemonLoggingTests : IDisposable
{
    private readonly DaemonScratch scratch = new("dataplane-logging-");

    [Fact]
    public void A_json_daemon_writes_only_json_lines_and_log_set_level_lets_debug_through()
    {
        var lines = new ConcurrentQueue<string>();
        var daemon = scratch.Start(extra: ["--log-format", "json"], stderr: lines.Enqueue);
        Assert.True(scratch.Call("mapcache.add", "{\"eid\":\"[7]10.0.0.0/33\"}")["error"] is not null); // refused: debug

        var changed = scratch.Call("log.set-level", "{\"level\":\"debug\"}");
        Assert.Equal("information", changed["result"]!["previous"]!.GetValue<string>());
        Assert.True(scratch.Call("mapcache.add", "{\"eid\":\"[7]10.0.0.0/34\"}")["error"] is not null);

        Assert.Equal(0, Lab.TryRun(TimeSpan.FromSeconds(5), "kill", "-TERM", daemon.Id.ToString(CultureInfo.InvariantCulture)).ExitCode);
        Assert.True(daemon.WaitForExit(30_000), "the daemon did not stop on SIGTERM");
        daemon.WaitForExit(); // the stderr reader has seen the end

        var entries = new List<JsonElement>();
        foreach (string line in lines)
        {
            using var document = JsonDocument.Parse(line); // throws on a line that is not JSON
            var entry = document.RootElement.Clone();
            Assert.True(DateTimeOffset.TryParse(entry.GetProperty("Timestamp").GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out _), line);
            Assert.StartsWith("Dataplane.Control.", entry.GetProperty("Category").GetString(), StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(entry.GetProperty("LogLevel").GetString()), line);
            Assert.False(string.IsNullOrEmpty(entry.GetProperty("Message").GetString()), line);
            entries.Add(entry);
        }

        var messages = entries.Select(e => e.GetProperty("Message").GetString()!).ToList();
        Assert.Contains(messages, m => m.StartsWith("listening on ", StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m.Contains("/33", StringComparison.Ordinal));
        var refused = Assert.Single(entries, e => e.GetProperty("Message").GetString()!.Contains("/34", StringComparison.Ordinal));
        Assert.Equal("Debug", refused.GetProperty("LogLevel").GetString());
        Assert.Equal("mapcache.add", refused.GetProperty("State").GetProperty("Method").GetString());
        Assert.Contains("log level information -> debug", messages);
    }

    public void Dispose() => scratch.Dispose();
}
