using System.Globalization;
using System.Text.Json.Nodes;

namespace Dataplane.Host.Ctl;

/// <summary>
/// A method's params from the command line: <c>key=value</c> words (numbers, true/false and null typed;
/// <c>locators=ADDR:PRIO:WEIGHT[,...]</c> a list) merged over the object of <c>--params JSON</c>.
/// </summary>
public static class CtlParams
{
    public static bool TryParse(string? json, IReadOnlyList<string> pairs, out JsonObject parameters, out string problem)
    {
        parameters = [];
        problem = "";
        if (json is not null)
        {
            try
            {
                if (JsonNode.Parse(json) is not JsonObject given)
                {
                    problem = "--params: expected a JSON object";
                    return false;
                }

                foreach (var (key, value) in given)
                {
                    parameters[key] = value?.DeepClone();
                }
            }
            catch (System.Text.Json.JsonException e)
            {
                problem = $"--params: not JSON: {e.Message}";
                return false;
            }
        }

        foreach (string pair in pairs)
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                problem = $"'{pair}' is not key=value";
                return false;
            }

            string name = pair[..equals];
            string text = pair[(equals + 1)..];
            if (name == "locators")
            {
                if (!TryLocators(text, out var locators, out problem))
                {
                    return false;
                }

                parameters[name] = locators;
                continue;
            }

            parameters[name] = Typed(text);
        }

        return true;
    }

    private static JsonNode? Typed(string text) => text switch
    {
        "true" => true,
        "false" => false,
        "null" => null,
        _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number) => number,
        _ => text,
    };

    /// <summary>"198.51.100.1:1:100,2001:db8::1:2:50": address, priority, weight (the last two fields, so IPv6 works); ":down" at the end marks it down.</summary>
    private static bool TryLocators(string text, out JsonArray locators, out string problem)
    {
        locators = [];
        problem = "";
        foreach (string item in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            string rest = item;
            bool up = true;
            if (rest.EndsWith(":down", StringComparison.Ordinal))
            {
                up = false;
                rest = rest[..^5];
            }

            int weightColon = rest.LastIndexOf(':');
            int priorityColon = weightColon > 0 ? rest.LastIndexOf(':', weightColon - 1) : -1;
            if (priorityColon <= 0
                || !byte.TryParse(rest.AsSpan(priorityColon + 1, weightColon - priorityColon - 1), NumberStyles.None, CultureInfo.InvariantCulture, out byte priority)
                || !byte.TryParse(rest.AsSpan(weightColon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out byte weight))
            {
                problem = $"locators: '{item}' is not ADDRESS:PRIORITY:WEIGHT (priority and weight 0..255)";
                return false;
            }

            locators.Add(new JsonObject { ["address"] = rest[..priorityColon], ["priority"] = priority, ["weight"] = weight, ["up"] = up });
        }

        return true;
    }
}
