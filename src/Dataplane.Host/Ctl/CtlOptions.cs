using System.Globalization;
using System.Text.Json.Nodes;

namespace Dataplane.Host.Ctl;

/// <summary>The arguments of <c>dataplane ctl</c>: socket, output form, method, and its params as key=value pairs or JSON.</summary>
public sealed record CtlOptions
{
    public const string DefaultSocket = "/run/dataplane/control.sock";

    public const string Usage = """
        usage: dataplane ctl [--socket PATH] [--json] METHOD [key=value ... | --params JSON]
          --socket   the daemon's control socket (control.socket in its configuration); default /run/dataplane/control.sock
          --json     print the raw JSON result instead of a table
          --params   the params object as JSON, e.g. --params '{"eid":"[7]10.2.0.0/16"}'
          key=value  one param each; numbers, true/false and null are typed, locators=ADDR:PRIO:WEIGHT[,...] is a list
        methods: mapcache.add mapcache.remove mapcache.list localeid.add localeid.remove localeid.list
                 neighbour.add neighbour.remove neighbour.list tunnel.add tunnel.remove tunnel.list vxlan.list
                 vxlan.domain.add vxlan.domain.remove vxlan.vtep.add vxlan.vtep.remove vxlan.mac.add vxlan.mac.remove
                 counters.get runtime.show ports.stats log.set-level state.dump
        example: dataplane ctl mapcache.add eid=[7]10.2.0.0/16 locators=198.51.100.1:1:100,198.51.100.2:1:50 ttlMinutes=10
        docs/control.md describes every method.
        """;

    public string Socket { get; init; } = DefaultSocket;

    public bool Json { get; init; }

    public string Method { get; init; } = "";

    public JsonObject Params { get; init; } = [];

    public static bool TryParse(IReadOnlyList<string> arguments, out CtlOptions options, out string problem)
    {
        options = new CtlOptions();
        problem = "";
        var parameters = new JsonObject();
        for (int i = 0; i < arguments.Count; i++)
        {
            string argument = arguments[i];
            switch (argument)
            {
                case "--json":
                    options = options with { Json = true };
                    continue;
                case "--socket" or "--params" when i + 1 >= arguments.Count:
                    problem = $"{argument} needs a value";
                    return false;
                case "--socket":
                    options = options with { Socket = arguments[++i] };
                    continue;
                case "--params":
                    try
                    {
                        if (JsonNode.Parse(arguments[++i]) is not JsonObject json)
                        {
                            problem = "--params: expected a JSON object";
                            return false;
                        }

                        foreach (var (key, value) in json)
                        {
                            parameters[key] = value?.DeepClone();
                        }
                    }
                    catch (System.Text.Json.JsonException e)
                    {
                        problem = $"--params: {e.Message}";
                        return false;
                    }

                    continue;
            }

            if (argument.StartsWith("--", StringComparison.Ordinal))
            {
                problem = $"unknown option '{argument}'";
                return false;
            }

            if (options.Method.Length == 0)
            {
                options = options with { Method = argument };
                continue;
            }

            int equals = argument.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                problem = $"'{argument}' is not key=value";
                return false;
            }

            string name = argument[..equals];
            string text = argument[(equals + 1)..];
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

        if (options.Method.Length == 0)
        {
            problem = "no method given";
            return false;
        }

        options = options with { Params = parameters };
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
