using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Ports.Replay;

namespace Dataplane.Host.Replay;

/// <summary>
/// The counters of a replay as one JSON document (<c>--json</c>), field names fixed and documented in docs/replay.md;
/// the same shape is what <c>--expect</c> reads. Drop reasons and events appear when non-zero, by name, sorted.
/// </summary>
public static class ReplayReport
{
    public static JsonObject Build(ReplayResult result, string input, IEnumerable<string> roles, ReplayOutputPaths paths)
    {
        var counters = result.Counters;
        var drops = new JsonObject();
        foreach (var (reason, count) in counters.Drops.Select(d => (d.Key.ToString(), d.Value)).OrderBy(d => d.Item1, StringComparer.Ordinal))
        {
            drops[reason] = count;
        }

        var events = new JsonObject();
        foreach (var (name, count) in counters.Events.Select(e => (e.Key.ToString(), e.Value)).OrderBy(e => e.Item1, StringComparer.Ordinal))
        {
            events[name] = count;
        }

        var ports = new JsonObject();
        foreach (var port in result.Ports)
        {
            ports[port.Name] = new JsonObject { ["received"] = port.Received, ["transmitted"] = port.Transmitted };
        }

        var outputs = new JsonObject { ["transmitted"] = paths.Transmitted, ["punted"] = paths.Punted };
        if (paths.Drops is not null)
        {
            outputs["drops"] = paths.Drops;
        }

        return new JsonObject
        {
            ["input"] = input,
            ["roles"] = new JsonArray([.. roles.Select(r => JsonValue.Create(r))]),
            ["received"] = counters.Received,
            ["emitted"] = counters.Emitted,
            ["transmitted"] = counters.Transmitted,
            ["punted"] = counters.Punted,
            ["dropped"] = counters.TotalDropped,
            ["drops"] = drops,
            ["events"] = events,
            ["ports"] = ports,
            ["conserved"] = counters.IsConserved,
            ["outputs"] = outputs,
        };
    }

    public static string Format(JsonObject report) => report.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
