using System.Collections.Concurrent;
using System.Text;

namespace Dataplane.Control.Metrics;

/// <summary>
/// One metric of <see cref="ControlPlaneMetrics"/> (a counter or a gauge) with its label names; each combination of
/// label values is its own series. Thread-safe: control-plane components update it from their own threads.
/// </summary>
public sealed class MetricFamily
{
    private readonly ConcurrentDictionary<string, double> series = new(StringComparer.Ordinal);
    private readonly string[] labelNames;

    internal MetricFamily(string name, string help, string type, string[] labelNames)
    {
        Name = name;
        Help = help;
        Type = type;
        this.labelNames = labelNames;
    }

    public string Name { get; }

    public string Help { get; }

    /// <summary>"counter" or "gauge".</summary>
    public string Type { get; }

    public IReadOnlyList<string> LabelNames => labelNames;

    public void Increment(params string[] labelValues) => Add(1, labelValues);

    public void Add(long value, params string[] labelValues) => series.AddOrUpdate(Labels(labelValues), value, (_, old) => old + value);

    /// <summary>For gauges, and counters copied from a component's own count: the current value of a series.</summary>
    public void Set(long value, params string[] labelValues) => series[Labels(labelValues)] = value;

    /// <summary>A value in base units that is not a whole number (seconds, a ratio).</summary>
    public void Set(double value, params string[] labelValues) => series[Labels(labelValues)] = value;

    public double Value(params string[] labelValues) => series.GetValueOrDefault(Labels(labelValues));

    internal void WriteTo(StringBuilder text)
    {
        PrometheusText.Header(text, Name, Help, Type);
        foreach (var (labels, value) in series.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            text.Append(Name).Append(labels).Append(' ').Append(PrometheusText.Value(value)).Append('\n');
        }
    }

    private string Labels(string[] values)
    {
        if (values.Length != labelNames.Length)
        {
            throw new ArgumentException($"{Name} has labels ({string.Join(", ", labelNames)}); got {values.Length} values", nameof(values));
        }

        return PrometheusText.Labels(labelNames, values);
    }
}
