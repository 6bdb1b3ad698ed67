namespace Dataplane.Control.Rest;

/// <summary>One parsed HTTP request: method, path (percent-encoded, query removed), headers (names case-insensitive), body.</summary>
public sealed record RestRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
