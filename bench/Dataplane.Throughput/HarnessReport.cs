namespace Dataplane.Throughput;

/// <summary>Everything one harness run measured, for the three report files.</summary>
public sealed record HarnessReport(MachineInfo Machine, string CommandLine, HarnessOptions Options, IReadOnlyList<CellResult> Cells, CellResult? GcCheck, BaselineResult? Baseline)
{
    /// <summary>The C# figure the C baseline compares with: itr-v4, 64 bytes, 1 worker.</summary>
    public CellResult? BaselineCell => Cells.FirstOrDefault(cell => cell.Scenario == "itr-v4" && cell.RequestedFrameBytes == 64 && cell.Workers == 1);

    public double? CSharpToCRatio => Baseline?.MedianMpps is double c && c > 0 && BaselineCell is { } cell ? cell.MedianTotalMpps / c : null;

    public bool Failed => Cells.Any(cell => cell.Failed) || GcCheck?.Failed == true;
}
