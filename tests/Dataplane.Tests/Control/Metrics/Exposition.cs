using System.Globalization;
using System.Text.RegularExpressions;

namespace Dataplane.Tests.Control.Metrics;

/// <summary>
/// A Prometheus text exposition (format 0.0.4) read strictly, as the tests want it: every family announced once with
/// HELP then TYPE before its samples, names and label names valid, counters ending in _total (and only counters), no
/// series twice, every value a number. Each breach is collected in <see cref="Problems"/>.
/// </summary>
public sealed partial class Exposition
{
    private Exposition()
    {
    }

    /// <summary>Family name -> its TYPE.</summary>
    public Dictionary<string, string> Types { get; } = new(StringComparer.Ordinal);

    /// <summary>Series (name and labels as written) -> value.</summary>
    public Dictionary<string, double> Samples { get; } = new(StringComparer.Ordinal);

    public List<string> Problems { get; } = [];

    /// <summary>Families with at least one sample.</summary>
    public IEnumerable<string> FamiliesWithSamples => Samples.Keys.Select(SeriesName).Distinct(StringComparer.Ordinal);

    public double this[string series] => Samples[series];

    public static Exposition Parse(string text)
    {
        var exposition = new Exposition();
        var helped = new HashSet<string>(StringComparer.Ordinal);
        var canonicalSeries = new HashSet<string>(StringComparer.Ordinal);
        var problems = exposition.Problems;
        foreach (string line in text.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (HelpLine().Match(line) is { Success: true } help)
            {
                if (!helped.Add(help.Groups[1].Value))
                {
                    problems.Add($"HELP twice: {line}");
                }

                continue;
            }

            if (TypeLine().Match(line) is { Success: true } type)
            {
                string name = type.Groups[1].Value, kind = type.Groups[2].Value;
                if (!helped.Contains(name))
                {
                    problems.Add($"TYPE without a HELP before it: {line}");
                }

                if (!exposition.Types.TryAdd(name, kind))
                {
                    problems.Add($"TYPE twice: {line}");
                }

                if ((kind == "counter") != name.EndsWith("_total", StringComparison.Ordinal))
                {
                    problems.Add($"{name}: a {kind} {(kind == "counter" ? "must" : "must not")} end in _total");
                }

                continue;
            }

            if (line.StartsWith('#'))
            {
                problems.Add($"a comment that is neither HELP nor TYPE: {line}");
                continue;
            }

            var sample = SampleLine().Match(line);
            if (!sample.Success)
            {
                problems.Add($"not a sample line: {line}");
                continue;
            }

            string series = sample.Groups[1].Value, family = SeriesName(series);
            if (!exposition.Types.ContainsKey(family))
            {
                problems.Add($"a sample before its family's TYPE: {line}");
            }

            if (sample.Groups[2].Success && !LabelList().IsMatch(sample.Groups[2].Value))
            {
                problems.Add($"labels not of the form name=\"value\": {line}");
            }

            if (!TryValue(sample.Groups[3].Value, out double value))
            {
                problems.Add($"not a number: {line}");
            }

            // The same series is the same name and label set, whatever the order the labels are written in.
            string labels = string.Join(',', LabelPair().Matches(sample.Groups[2].Value).Select(m => m.Value).Order(StringComparer.Ordinal));
            if (!canonicalSeries.Add($"{family}{{{labels}}}") || !exposition.Samples.TryAdd(series, value))
            {
                problems.Add($"series twice: {series}");
            }
        }

        return exposition;
    }

    public static string SeriesName(string series) => series.Split('{')[0];

    private static bool TryValue(string text, out double value)
    {
        switch (text)
        {
            case "NaN":
                value = double.NaN;
                return true;
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    [GeneratedRegex(@"^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$")]
    private static partial Regex HelpLine();

    [GeneratedRegex(@"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$")]
    private static partial Regex TypeLine();

    // Groups: 1 the series, 2 the labels, 3 the value.
    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?) (\S+)$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"^\{[a-zA-Z_][a-zA-Z0-9_]*=""(?:[^""\\]|\\.)*""(,[a-zA-Z_][a-zA-Z0-9_]*=""(?:[^""\\]|\\.)*"")*\}$")]
    private static partial Regex LabelList();

    [GeneratedRegex(@"[a-zA-Z_][a-zA-Z0-9_]*=""(?:[^""\\]|\\.)*""")]
    private static partial Regex LabelPair();
}
