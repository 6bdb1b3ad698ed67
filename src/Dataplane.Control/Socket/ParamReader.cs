using System.Text.Json;
using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Socket;

/// <summary>
/// Reads a method's params object field by field with strict types: a string where a number belongs, a missing
/// required field or an unknown one is a -32602 error naming the field ("params.ttlMinutes: expected an integer,
/// got string"). Nothing is bound by reflection, so nothing wrong is accepted silently.
/// </summary>
public sealed class ParamReader
{
    private readonly JsonElement element;

    public ParamReader(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw ControlRpcException.InvalidParams(path, $"expected an object, got {Kind(element)}");
        }

        this.element = element;
        Path = path;
    }

    /// <summary>The JSON path of this object in error messages ("params", "params.locators[1]").</summary>
    public string Path { get; }

    /// <summary>The object itself, for a method that reads it whole with a configuration reader (rule.add).</summary>
    public JsonElement Element => element;

    public string Field(string name) => $"{Path}.{name}";

    /// <summary>Refuses fields the method does not know, so a typo ("ttl" for "ttlMinutes") is not silently ignored.</summary>
    public void AllowOnly(params string[] names)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (Array.IndexOf(names, property.Name) < 0)
            {
                throw ControlRpcException.InvalidParams(Field(property.Name), $"unknown parameter; expected {(names.Length == 0 ? "none" : string.Join(", ", names))}");
            }
        }
    }

    /// <summary>Whether the field is present (and not null).</summary>
    public bool Has(string name) => TryGet(name, out _);

    public string RequiredString(string name) =>
        OptionalString(name) ?? throw ControlRpcException.InvalidParams(Field(name), "missing; expected a string");

    public string? OptionalString(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw ControlRpcException.InvalidParams(Field(name), $"expected a string, got {Kind(value)}");
    }

    public long RequiredInteger(string name, long min, long max) =>
        OptionalInteger(name, min, max) ?? throw ControlRpcException.InvalidParams(Field(name), $"missing; expected an integer {min}..{max}");

    public long? OptionalInteger(string name, long min, long max)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long number))
        {
            throw ControlRpcException.InvalidParams(Field(name), $"expected an integer {min}..{max}, got {Describe(value)}");
        }

        return number < min || number > max
            ? throw ControlRpcException.InvalidParams(Field(name), $"{number} is outside {min}..{max}")
            : number;
    }

    public bool? OptionalBool(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw ControlRpcException.InvalidParams(Field(name), $"expected true or false, got {Describe(value)}"),
        };
    }

    /// <summary>A nested object field, with its own reader (errors name "params.service.serviceIP").</summary>
    public ParamReader RequiredObject(string name) =>
        TryGet(name, out var value)
            ? new ParamReader(value, Field(name))
            : throw ControlRpcException.InvalidParams(Field(name), "missing; expected an object");

    /// <summary>The objects of an array field, each with its own reader; absent or null gives an empty list.</summary>
    public IReadOnlyList<ParamReader> OptionalObjectArray(string name)
    {
        if (!TryGet(name, out var value))
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw ControlRpcException.InvalidParams(Field(name), $"expected an array, got {Kind(value)}");
        }

        var items = new List<ParamReader>();
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            items.Add(new ParamReader(item, $"{Field(name)}[{i++}]"));
        }

        return items;
    }

    /// <summary>The strings of an array field; absent or null gives an empty list.</summary>
    public IReadOnlyList<string> OptionalStringArray(string name)
    {
        if (!TryGet(name, out var value))
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw ControlRpcException.InvalidParams(Field(name), $"expected an array of strings, got {Kind(value)}");
        }

        var items = new List<string>();
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            items.Add(item.ValueKind == JsonValueKind.String
                ? item.GetString()!
                : throw ControlRpcException.InvalidParams($"{Field(name)}[{i}]", $"expected a string, got {Describe(item)}"));
            i++;
        }

        return items;
    }

    /// <summary>An EID prefix, "[iid]prefix/len"; the error says what is wrong with it.</summary>
    public EidPrefix RequiredPrefix(string name)
    {
        string text = RequiredString(name);
        return PrefixDiagnosis.Problem(text) is { } problem
            ? throw ControlRpcException.InvalidParams(Field(name), $"'{text}' is not a prefix: {problem}")
            : EidPrefix.Parse(text);
    }

    public IpAddress RequiredAddress(string name)
    {
        string text = RequiredString(name);
        return IpAddress.TryParse(text, out var address)
            ? address
            : throw ControlRpcException.InvalidParams(Field(name), $"'{text}' is not an IPv4 or IPv6 address");
    }

    /// <summary>Present and not null (JSON null counts as absent, so a dump entry's "ttlMinutes": null reads back as infinite).</summary>
    private bool TryGet(string name, out JsonElement value) =>
        element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Describe(JsonElement value) =>
        value.ValueKind is JsonValueKind.Number or JsonValueKind.String ? $"{Kind(value)} ({value.GetRawText()})" : Kind(value);
}
