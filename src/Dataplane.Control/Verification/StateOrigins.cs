using System.Text.Json.Nodes;
using Dataplane.Control.State;

namespace Dataplane.Control.Verification;

/// <summary>
/// Tells the entries the configuration made from those the state directory added or changed, by comparing the rule
/// state before and after the restore (<see cref="RuleStateDump"/>): an entry equal before and after is the
/// configuration's and keeps its configuration path; any other is named <c>state:TABLE[KEY]</c>
/// (<c>state:mapcache[10.1.0.0/16]</c>), TABLE being the prefix of the control methods that change it.
/// </summary>
public sealed class StateOrigins
{
    private static readonly (string Table, string? Key, string Name)[] Tables =
    [
        ("mapCache", "eid", "mapcache"),
        ("localEids", null, "localeid"),
        ("neighbours", "address", "neighbour"),
        ("services", "name", "service"),
        ("tunnels", "name", "tunnel"),
        ("trafficRules", "name", "rule"),
    ];

    private readonly Dictionary<(string Name, string Key), string> before;
    private readonly Dictionary<(string Name, string Key), string> after;

    /// <summary>The rule state as the configuration made it (<paramref name="before"/>) and with the state restored over it.</summary>
    public StateOrigins(JsonObject before, JsonObject after)
    {
        this.before = Index(before);
        this.after = Index(after);
    }

    /// <summary>The path of an entry now in the tables: <paramref name="configPath"/> when the configuration made it as it is.</summary>
    public string PathOf(string name, string key, string? configPath) =>
        configPath is not null && before.TryGetValue((name, key), out string? then) && after.TryGetValue((name, key), out string? now) && then == now
            ? configPath
            : $"state:{name}[{key}]";

    private static Dictionary<(string, string), string> Index(JsonObject dump)
    {
        var index = new Dictionary<(string, string), string>();
        foreach (var (table, key, name) in Tables)
        {
            if (dump[table] is not JsonArray entries)
            {
                continue;
            }

            foreach (var entry in entries)
            {
                string id = key is null ? entry!.GetValue<string>() : entry![key]!.ToString();
                index[(name, id)] = CanonicalJson.Serialize(entry);
            }
        }

        return index;
    }
}
