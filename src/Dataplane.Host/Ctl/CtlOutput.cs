using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dataplane.Host.Ctl;

/// <summary>
/// Results for humans: map-cache like <c>vppctl show lisp map-cache</c>, the stage runtime like <c>vppctl show
/// runtime</c>, other lists as column tables, objects as key: value lines.
/// </summary>
public static class CtlOutput
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Json(JsonNode? result) => result?.ToJsonString(Indented) ?? "null";

    public static string Table(string method, JsonNode? result) => method switch
    {
        "mapcache.list" when result is JsonArray entries => MapCache(entries),
        "runtime.show" when result is JsonObject runtime => Runtime(runtime),
        _ => Generic(result),
    };

    /// <summary>One column table of the stages, all workers summed, then one per worker when there are several.</summary>
    private static string Runtime(JsonObject runtime)
    {
        var text = new StringBuilder();
        var workers = runtime["workers"]?.AsArray() ?? [];
        // The loop's figures first, then the stages, as vppctl's show runtime puts its thread line above the nodes.
        text.Append(WorkerLoad(workers)).Append('\n');
        text.Append(Stages("all workers", runtime["stages"]?.AsArray() ?? []));
        if (workers.Count > 1)
        {
            foreach (var worker in workers.OfType<JsonObject>())
            {
                text.Append('\n').Append(Stages($"worker {worker["worker"]}", worker["stages"]?.AsArray() ?? []));
            }
        }

        return text.Append($"(time per packet from one batch in {runtime["timedOneBatchIn"]}; - before the first timed batch)").ToString();
    }

    /// <summary>Per worker: rounds over its queues, those that received packets, and the time they took.</summary>
    private static string WorkerLoad(JsonArray workers)
    {
        var rows = new List<string[]> { new[] { "Worker", "Polls", "Busy polls", "Busy seconds" } };
        foreach (var worker in workers.OfType<JsonObject>())
        {
            rows.Add([Cell(worker["worker"]), Cell(worker["polls"]), Cell(worker["busyPolls"]), Cell(worker["busySeconds"])]);
        }

        return Columns(rows);
    }

    private static string Stages(string title, JsonArray stages)
    {
        var rows = new List<string[]> { new[] { $"Stage ({title})", "Calls", "Packets", "Packets/Call", "ns/Packet" } };
        foreach (var stage in stages.OfType<JsonObject>())
        {
            rows.Add([Cell(stage["stage"]), Cell(stage["calls"]), Cell(stage["packets"]), Cell(stage["packetsPerCall"]), Cell(stage["nsPerPacket"])]);
        }

        return Columns(rows);
    }

    private static string MapCache(JsonArray entries)
    {
        var rows = new List<string[]> { new[] { "EID", "TTL(s)", "ACTION / LOCATORS (address priority weight state)" } };
        foreach (var entry in entries.OfType<JsonObject>())
        {
            string ttl = entry["remainingSeconds"]?.ToString() ?? "never";
            var locators = entry["locators"]?.AsArray() ?? [];
            string target = locators.Count == 0
                ? $"negative: {entry["action"]}"
                : string.Join(", ", locators.OfType<JsonObject>().Select(l =>
                    $"{l["address"]} p{l["priority"]} w{l["weight"]} {(l["up"]?.GetValue<bool>() == false ? "down" : "up")}"));
            rows.Add([entry["eid"]?.ToString() ?? "", ttl, target]);
        }

        return Columns(rows) + $"{entries.Count} entr{(entries.Count == 1 ? "y" : "ies")}";
    }

    private static string Generic(JsonNode? result)
    {
        switch (result)
        {
            case JsonArray array when array.Count > 0 && array.All(i => i is JsonObject):
            {
                var keys = array.OfType<JsonObject>().SelectMany(o => o.Select(p => p.Key)).Distinct().ToList();
                var rows = new List<string[]> { keys.ToArray() };
                rows.AddRange(array.OfType<JsonObject>().Select(o => keys.Select(k => Cell(o[k])).ToArray()));
                return Columns(rows).TrimEnd('\n');
            }

            case JsonArray array:
                return array.Count == 0 ? "(none)" : string.Join("\n", array.Select(Cell));
            case JsonObject obj:
                return string.Join("\n", obj.Select(p => $"{p.Key}: {Cell(p.Value)}"));
            default:
                return Cell(result);
        }
    }

    private static string Cell(JsonNode? value) => value switch
    {
        null => "-",
        JsonValue scalar when scalar.GetValueKind() == JsonValueKind.String => scalar.GetValue<string>(),
        JsonArray items when items.All(i => i is JsonValue) => string.Join(",", items.Select(Cell)),
        _ => value.ToJsonString(),
    };

    public static string Columns(List<string[]> rows)
    {
        int columns = rows.Max(r => r.Length);
        var widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => c < r.Length ? r[c].Length : 0)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            for (int c = 0; c < row.Length; c++)
            {
                text.Append(c == row.Length - 1 ? row[c] : row[c].PadRight(widths[c] + 2));
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
