using System.Text;
using System.Text.Json;
using Dataplane.Control.Socket;

namespace Dataplane.Control.Persistence;

/// <summary>
/// Reads a state directory (<see cref="StateStore.SnapshotName"/>, then <see cref="StateStore.JournalName"/>) into the
/// control methods' tables without writing to it: what <see cref="StateStore.Load"/> does before it compacts, and what
/// <c>dataplane verify --state</c> does on its own, so the directory a daemon owns is never touched by a check.
/// </summary>
public static class StateReplay
{
    /// <summary>Restores the snapshot and replays the journal over <paramref name="methods"/>; returns journal entries replayed.</summary>
    public static int Replay(string directory, ControlMethods methods, Action<string> report)
    {
        ArgumentNullException.ThrowIfNull(methods);
        ArgumentNullException.ThrowIfNull(report);
        string snapshotPath = Path.Combine(directory, StateStore.SnapshotName);
        string journalPath = Path.Combine(directory, StateStore.JournalName);
        if (File.Exists(snapshotPath))
        {
            try
            {
                using var snapshot = JsonDocument.Parse(File.ReadAllBytes(snapshotPath));
                methods.Restore(snapshot.RootElement, report);
            }
            catch (JsonException e)
            {
                report($"{snapshotPath} is not valid JSON ({e.Message}); ignored");
            }
        }

        if (!File.Exists(journalPath))
        {
            return 0;
        }

        int replayed = 0;
        string[] lines = File.ReadAllText(journalPath, Encoding.UTF8).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Length == 0)
            {
                continue;
            }

            bool last = i == lines.Length - 1; // no newline after it: the write was cut short
            try
            {
                using var entry = JsonDocument.Parse(line);
                string method = entry.RootElement.GetProperty("method").GetString() ?? "";
                JsonElement? parameters = entry.RootElement.TryGetProperty("params", out var p) ? p : null;
                methods.Apply(method, parameters);
                replayed++;
            }
            catch (JsonException) when (last)
            {
                report($"{journalPath}: line {i + 1} is torn (a crash during the write; it was never acknowledged); ignored");
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or ControlRpcException or ArgumentException)
            {
                report($"{journalPath}: line {i + 1} no longer applies: {e.Message}");
            }
        }

        return replayed;
    }
}
