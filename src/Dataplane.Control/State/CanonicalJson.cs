using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dataplane.Control.State;

/// <summary>Serialises JSON with object keys sorted (ordinal), so equal values give byte-identical text.</summary>
public static class CanonicalJson
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    public static string Serialize(JsonNode? node) => Sorted(node)?.ToJsonString(Compact) ?? "null";

    /// <summary>A deep copy with every object's keys in ordinal order.</summary>
    public static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray array => new JsonArray(array.Select(Sorted).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };
}
