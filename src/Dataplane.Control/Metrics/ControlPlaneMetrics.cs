using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace Dataplane.Control.Metrics;

/// <summary>
/// Metrics other components register and update, served next to the data plane's own counters on /metrics; e.g. the
/// LISP control plane's <c>dataplane_lisp_control_events_total{event}</c>:
/// <code>var events = metrics.Counter("dataplane_lisp_control_events_total", "LISP control messages and refusals", "event");
/// events.Increment("MapRequestSent");</code>
/// Registering the same name again returns the same family (so a component may register on each start).
/// </summary>
public sealed partial class ControlPlaneMetrics
{
    private readonly ConcurrentDictionary<string, MetricFamily> families = new(StringComparer.Ordinal);

    public MetricFamily Counter(string name, string help, params string[] labelNames) => Register(name, help, "counter", labelNames);

    public MetricFamily Gauge(string name, string help, params string[] labelNames) => Register(name, help, "gauge", labelNames);

    internal void WriteTo(StringBuilder text)
    {
        foreach (var family in families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            family.WriteTo(text);
        }
    }

    private MetricFamily Register(string name, string help, string type, string[] labelNames)
    {
        if (!MetricName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a Prometheus metric name", nameof(name));
        }

        foreach (string label in labelNames)
        {
            if (!LabelName().IsMatch(label))
            {
                throw new ArgumentException($"'{label}' is not a Prometheus label name", nameof(labelNames));
            }
        }

        var family = families.GetOrAdd(name, _ => new MetricFamily(name, help, type, labelNames));
        if (family.Type != type || !family.LabelNames.SequenceEqual(labelNames))
        {
            throw new InvalidOperationException($"{name} is already registered as a {family.Type} with labels ({string.Join(", ", family.LabelNames)})");
        }

        return family;
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();
}
