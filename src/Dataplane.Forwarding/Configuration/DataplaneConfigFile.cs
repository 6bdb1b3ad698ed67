using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dataplane.Forwarding.Configuration;

/// <summary>Reads the JSON configuration file; every error is a <see cref="ConfigurationException"/> naming the field.</summary>
public static class DataplaneConfigFile
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static DataplaneConfig Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(path, $"cannot read the file: {e.Message}");
        }

        return Parse(text);
    }

    public static DataplaneConfig Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<DataplaneConfig>(json, Options)
                ?? throw new ConfigurationException("$", "the file holds null, not a configuration object");
        }
        catch (JsonException e)
        {
            // System.Text.Json reports "$.lisp.mapCache[2].eid"; we name fields without the "$." root.
            string field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "(top level)" : e.Path.TrimStart('$', '.');
            throw new ConfigurationException(field, FirstSentence(e.Message));
        }
    }

    /// <summary>The configuration as the file would say it, every default written out (so two equal settings compare equal however spelt).</summary>
    public static System.Text.Json.Nodes.JsonObject ToJson(DataplaneConfig config) =>
        JsonSerializer.SerializeToNode(config, Options)!.AsObject();

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }
}
