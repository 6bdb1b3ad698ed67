using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Dataplane.Benchmarks;

/// <summary>
/// Lookups per second on one core, in millions, from the median time of one lookup: the benchmarks that use it set
/// <c>OperationsPerInvoke</c> to the lookups a call makes, so BenchmarkDotNet's per-operation times are per lookup.
/// The median rather than the mean because the machines these run on are shared and a preempted iteration is slow.
/// </summary>
public sealed class LookupsPerSecondColumn : IColumn
{
    public const string Name = "M lookups/s";

    public string Id => nameof(LookupsPerSecondColumn);

    public string ColumnName => Name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Millions of lookups per second on one core: 1000 / Median (ns per lookup)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        double? median = summary[benchmarkCase]?.ResultStatistics?.Median;
        return median is > 0 ? (1e3 / median.Value).ToString("F1", CultureInfo.InvariantCulture) : "-";
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <summary>The column on top of the default configuration, for <c>[Config(typeof(LookupsPerSecondColumn.Config))]</c>.</summary>
    public sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new LookupsPerSecondColumn());
    }
}
