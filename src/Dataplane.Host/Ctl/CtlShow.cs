using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dataplane.Host.Ctl;

/// <summary>
/// <c>dataplane ctl show SUBJECT</c>: the forms operators know from <c>vppctl show ...</c>, each one control method
/// read and printed as a table (<c>--json</c> prints the method's raw result).
/// </summary>
public static class CtlShow
{
    /// <summary>Subject, the method it reads, and what it shows (the help of <c>ctl show</c>).</summary>
    public static readonly IReadOnlyList<(string Subject, string Method, string Description)> Subjects =
    [
        ("map-cache", "mapcache.list", "the LISP map-cache: EID, remaining TTL, locators or negative action"),
        ("interfaces", "ports.stats", "the ports: driver, MAC, addresses, link, packets and bytes each way, drops and errors"),
        ("counters", "counters.get", "the pipeline counters, drops by reason and forwarding events"),
        ("runtime", "runtime.show", "per worker: polls, busy polls, busy seconds; per stage, all workers and each worker: calls, packets, packets per call, ns per packet"),
        ("tunnels", "tunnel.list", "the GTP-U tunnels"),
        ("neighbours", "neighbour.list", "the neighbours (next hops), static and learned"),
    ];

    public static string MethodOf(string subject) => Subjects.Single(s => s.Subject == subject).Method;

    public static string Table(string subject, JsonNode? result) => subject switch
    {
        "interfaces" when result is JsonArray ports => Interfaces(ports),
        "counters" when result is JsonObject counters => Counters(counters),
        _ => CtlOutput.Table(MethodOf(subject), result),
    };

    private static string Interfaces(JsonArray ports)
    {
        var rows = new List<string[]> { new[] { "NAME", "ID", "DRIVER", "MAC", "LINK", "RX PACKETS", "RX BYTES", "TX PACKETS", "TX BYTES", "RX DROPS", "TX ERRORS", "ADDRESSES" } };
        foreach (var port in ports.OfType<JsonObject>())
        {
            rows.Add(
            [
                Cell(port["port"]), Cell(port["id"]), Cell(port["driver"]), Cell(port["mac"]), Cell(port["link"]),
                Cell(port["rxPackets"]), Cell(port["rxBytes"]), Cell(port["txPackets"]), Cell(port["txBytes"]),
                Cell(port["rxDrops"]), Cell(port["txErrors"]),
                port["addresses"] is JsonArray addresses && addresses.Count > 0 ? string.Join(",", addresses.Select(Cell)) : "-",
            ]);
        }

        return CtlOutput.Columns(rows).TrimEnd('\n');
    }

    /// <summary>The totals, then drops by reason and events by kind (nonzero ones), then one line per worker.</summary>
    private static string Counters(JsonObject counters)
    {
        var text = new StringBuilder();
        var totals = new List<string[]> { new[] { "COUNTER", "PACKETS" } };
        foreach (string name in new[] { "received", "emitted", "transmitted", "punted", "dropped" })
        {
            totals.Add([name, Cell(counters[name])]);
        }

        text.Append(CtlOutput.Columns(totals));
        text.Append(counters["conserved"]?.GetValue<bool>() == true ? "conservation holds\n" : "conservation does NOT hold\n");
        AppendBreakdown(text, "DROP REASON", counters["drops"] as JsonObject);
        AppendBreakdown(text, "EVENT", counters["events"] as JsonObject);
        if (counters["workers"] is JsonArray workers && workers.Count > 0)
        {
            var rows = new List<string[]> { new[] { "WORKER", "RECEIVED", "TRANSMITTED", "PUNTED", "DROPPED", "PUNT QUEUE" } };
            rows.AddRange(workers.OfType<JsonObject>().Select(w => new[]
            {
                Cell(w["worker"]), Cell(w["received"]), Cell(w["transmitted"]), Cell(w["punted"]), Cell(w["dropped"]), Cell(w["puntQueueDepth"]),
            }));
            text.Append('\n').Append(CtlOutput.Columns(rows));
        }

        return text.ToString().TrimEnd('\n');
    }

    private static void AppendBreakdown(StringBuilder text, string title, JsonObject? counts)
    {
        var nonzero = (counts ?? []).Where(c => c.Value is JsonValue v && v.GetValue<long>() != 0).ToList();
        if (nonzero.Count == 0)
        {
            return;
        }

        var rows = new List<string[]> { new[] { title, "PACKETS" } };
        rows.AddRange(nonzero.Select(c => new[] { c.Key, Cell(c.Value) }));
        text.Append('\n').Append(CtlOutput.Columns(rows));
    }

    private static string Cell(JsonNode? value) => value switch
    {
        null => "-",
        JsonValue scalar when scalar.GetValueKind() == JsonValueKind.String => scalar.GetValue<string>(),
        JsonValue scalar when scalar.GetValueKind() == JsonValueKind.Number => Convert.ToString(scalar.GetValue<decimal>(), CultureInfo.InvariantCulture) ?? "",
        _ => value.ToJsonString(),
    };
}
