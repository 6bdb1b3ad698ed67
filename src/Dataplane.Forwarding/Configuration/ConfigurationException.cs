namespace Dataplane.Forwarding.Configuration;

/// <summary>A configuration the data plane cannot run with; <see cref="Field"/> names the offending field as a JSON path ("lisp.mapCache[2].eid").</summary>
public sealed class ConfigurationException(string field, string problem)
    : Exception($"configuration error at {field}: {problem}")
{
    public string Field { get; } = field;

    public string Problem { get; } = problem;
}
