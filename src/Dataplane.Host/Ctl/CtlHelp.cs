using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dataplane.Host.Ctl;

/// <summary>
/// <c>dataplane ctl help [METHOD]</c>: the methods as the running daemon describes them (rpc.describe), so the list is
/// the daemon's own, for the version and the roles it runs.
/// </summary>
public static class CtlHelp
{
    public const string DescribeMethod = "rpc.describe";

    /// <summary>One line per method: name, whether it changes the rule state, what it does.</summary>
    public static string Methods(JsonNode? described)
    {
        var methods = MethodsOf(described);
        var rows = new List<string[]> { new[] { "METHOD", "CHANGES", "DESCRIPTION" } };
        rows.AddRange(methods.Select(m => new[] { Text(m["name"]), m["mutates"]?.GetValue<bool>() == true ? "yes" : "no", Text(m["summary"]) }));
        return CtlOutput.Columns(rows) + $"{methods.Count} methods; 'dataplane ctl help METHOD' gives a method's parameters";
    }

    /// <summary>A method's description, its parameters as a table, and a command line that calls it.</summary>
    public static string Method(JsonNode? described)
    {
        var method = MethodsOf(described).Single();
        string name = Text(method["name"]);
        var parameters = method["params"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
        var text = new StringBuilder();
        text.Append(name).Append(method["mutates"]?.GetValue<bool>() == true ? " (changes the rule state; journaled)" : " (read-only)").Append('\n');
        text.Append("  ").Append(Text(method["summary"])).Append("\n\n");
        if (parameters.Count == 0)
        {
            text.Append("no parameters\n");
        }
        else
        {
            var rows = new List<string[]> { new[] { "PARAMETER", "TYPE", "REQUIRED", "DESCRIPTION" } };
            rows.AddRange(parameters.Select(p => new[] { Text(p["name"]), Text(p["type"]), p["required"]?.GetValue<bool>() == true ? "yes" : "no", Text(p["description"]) }));
            text.Append(CtlOutput.Columns(rows));
        }

        return text.Append("example: ").Append(Example(name, parameters)).ToString();
    }

    /// <summary>
    /// The method called with its parameters' examples: key=value words when every example is a scalar (locators in
    /// their ADDR:PRIO:WEIGHT form), else --params with the JSON object.
    /// </summary>
    public static string Example(string method, IReadOnlyList<JsonObject> parameters)
    {
        var given = parameters.Where(p => p["example"] is not null).ToList();
        if (given.All(p => p["example"] is JsonValue || Text(p["name"]) == "locators"))
        {
            var words = given.Select(p => Text(p["name"]) == "locators" && p["example"] is JsonArray locators
                ? "locators=" + string.Join(",", locators.OfType<JsonObject>().Select(l => $"{l["address"]}:{l["priority"] ?? 1}:{l["weight"] ?? 100}"))
                : $"{Text(p["name"])}={Text(p["example"])}");
            return string.Join(' ', new[] { "dataplane ctl", method }.Concat(words));
        }

        var json = new JsonObject(given.Select(p => KeyValuePair.Create(Text(p["name"]), p["example"]?.DeepClone())));
        return $"dataplane ctl {method} --params '{json.ToJsonString()}'";
    }

    private static List<JsonObject> MethodsOf(JsonNode? described) =>
        described?["methods"]?.AsArray().OfType<JsonObject>().ToList() ?? throw new JsonException("the daemon's rpc.describe reply has no methods list");

    private static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => node.ToJsonString(),
    };
}
