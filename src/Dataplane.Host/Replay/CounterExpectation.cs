using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dataplane.Host.Replay;

/// <summary>
/// <c>--expect</c>: a run's report (<see cref="ReplayReport"/>) against a file of the same shape. Only the fields the
/// file holds are compared; "drops" whole when present (a reason the file does not list is expected to be 0, so a new
/// drop is caught), "events" by the names listed, "ports" per port and field listed. "input", "roles" and "outputs" describe a run
/// rather than its result and are not compared. A golden case's expected-counters.json is such a file.
/// </summary>
public static class CounterExpectation
{
    private static readonly string[] Totals = ["received", "emitted", "transmitted", "punted", "dropped"];

    /// <summary>Parses the expectation; false with a message naming what is wrong.</summary>
    public static bool TryLoad(string path, out JsonObject expected, out string problem)
    {
        expected = [];
        try
        {
            if (JsonNode.Parse(File.ReadAllText(path)) is not JsonObject root)
            {
                problem = "not a JSON object";
                return false;
            }

            expected = root;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            problem = e.Message;
            return false;
        }

        return Validate(expected, out problem);
    }

    /// <summary>Each difference as "field: expected X, got Y", in a fixed order; empty when the run is as expected.</summary>
    public static IReadOnlyList<string> Compare(JsonObject expected, JsonObject actual)
    {
        var differences = new List<string>();
        foreach (string field in Totals)
        {
            if (expected[field] is JsonValue value)
            {
                Check(differences, field, value.GetValue<long>(), actual[field]!.GetValue<long>());
            }
        }

        if (expected["drops"] is JsonObject wantedDrops)
        {
            // Whole: every packet is accounted for, so a reason the file does not list is expected to be 0.
            var got = actual["drops"]!.AsObject();
            foreach (string name in wantedDrops.Select(p => p.Key).Union(got.Select(p => p.Key)).Order(StringComparer.Ordinal))
            {
                Check(differences, $"drops.{name}", wantedDrops[name]?.GetValue<long>() ?? 0, got[name]?.GetValue<long>() ?? 0);
            }
        }

        if (expected["events"] is JsonObject wantedEvents)
        {
            // Events are what stages did besides the accounting; only those the file names are compared.
            var got = actual["events"]!.AsObject();
            foreach (var (name, value) in wantedEvents.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Check(differences, $"events.{name}", value!.GetValue<long>(), got[name]?.GetValue<long>() ?? 0);
            }
        }

        if (expected["ports"] is JsonObject ports)
        {
            var gotPorts = actual["ports"]!.AsObject();
            foreach (var (name, fields) in ports)
            {
                if (gotPorts[name] is not JsonObject got)
                {
                    differences.Add($"ports.{name}: expected, but the configuration has no such port");
                    continue;
                }

                foreach (var (field, value) in fields!.AsObject())
                {
                    Check(differences, $"ports.{name}.{field}", value!.GetValue<long>(), got[field]?.GetValue<long>() ?? 0);
                }
            }
        }

        if (expected["conserved"] is JsonValue conserved && conserved.GetValue<bool>() != actual["conserved"]!.GetValue<bool>())
        {
            differences.Add($"conserved: expected {Lower(conserved.GetValue<bool>())}, got {Lower(actual["conserved"]!.GetValue<bool>())}");
        }

        return differences;
    }

    private static void Check(List<string> differences, string field, long expected, long got)
    {
        if (expected != got)
        {
            differences.Add(string.Create(CultureInfo.InvariantCulture, $"{field}: expected {expected}, got {got}"));
        }
    }

    private static string Lower(bool value) => value ? "true" : "false";

    /// <summary>Every compared field of the right type, so Compare cannot throw.</summary>
    private static bool Validate(JsonObject expected, out string problem)
    {
        foreach (string field in Totals)
        {
            if (expected[field] is { } node && !IsCount(node))
            {
                problem = $"'{field}' must be a non-negative integer";
                return false;
            }
        }

        foreach (string group in new[] { "drops", "events" })
        {
            if (expected[group] is null)
            {
                continue;
            }

            if (expected[group] is not JsonObject counts)
            {
                problem = $"'{group}' must be an object of names and counts";
                return false;
            }

            foreach (var (name, value) in counts)
            {
                if (value is null || !IsCount(value))
                {
                    problem = $"'{group}.{name}' must be a non-negative integer";
                    return false;
                }
            }
        }

        if (expected["ports"] is { } portsNode)
        {
            if (portsNode is not JsonObject ports)
            {
                problem = "'ports' must be an object of port names";
                return false;
            }

            foreach (var (name, fields) in ports)
            {
                if (fields is not JsonObject counts)
                {
                    problem = $"'ports.{name}' must be an object";
                    return false;
                }

                foreach (var (field, value) in counts)
                {
                    if (field is not ("received" or "transmitted") || value is null || !IsCount(value))
                    {
                        problem = $"'ports.{name}.{field}': only received and transmitted, as non-negative integers";
                        return false;
                    }
                }
            }
        }

        if (expected["conserved"] is { } conserved && conserved.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            problem = "'conserved' must be true or false";
            return false;
        }

        problem = "";
        return true;
    }

    private static bool IsCount(JsonNode node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue(out long count) && count >= 0;
}
