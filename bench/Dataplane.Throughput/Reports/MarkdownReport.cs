using System.Globalization;
using System.Text;
using Dataplane.Throughput.Scenarios;

namespace Dataplane.Throughput.Reports;

/// <summary>throughput.md: the machine, then one table per worker count, the GC check and the C baseline.</summary>
public static class MarkdownReport
{
    public static string Write(HarnessReport report)
    {
        var text = new StringBuilder();
        var machine = report.Machine;
        var options = report.Options;
        text.AppendLine("# In-memory throughput")
            .AppendLine()
            .AppendLine(Invariant($"- machine: {machine.CpuModel}, {machine.Cores} cores; load average {machine.LoadAverageAtStart} at start, {machine.LoadAverageAtEnd} at end"))
            .AppendLine(Invariant($"- runtime: .NET {machine.DotnetVersion}, tiered compilation and PGO on (defaults); first cell of each scenario warms {options.FirstCellExtraWarmupSeconds:0.###} s longer"))
            .AppendLine(Invariant($"- date: {machine.Date}"))
            .AppendLine(Invariant($"- command: `{report.CommandLine.Trim()}`"))
            .AppendLine(Invariant($"- ring {options.Ring} frames per worker, batches of 256, {options.Prefixes} map-cache prefixes; warm-up {options.WarmupSeconds:0.###} s, {options.Runs} x {options.Seconds:0.###} s per cell (median, min-max)"))
            .AppendLine("- counted: descriptor reset + restore of the first 128 bytes per packet, and the whole pipeline; not counted: payload writes (a NIC's DMA), ports, drivers (docs/performance.md)")
            .AppendLine();
        foreach (string name in options.Scenarios)
        {
            if (ScenarioCatalog.Find(name) is { } scenario)
            {
                text.AppendLine(Invariant($"- `{scenario.Name}`: {scenario.Description}"));
            }
        }

        text.AppendLine();

        foreach (int workers in report.Cells.Select(cell => cell.Workers).Distinct())
        {
            text.AppendLine(Invariant($"## {workers} worker{(workers == 1 ? "" : "s")}"))
                .AppendLine()
                .AppendLine("| scenario | frame B | Mpps/worker | total Mpps (min-max) | ns/packet | Gbit/s wire | x 10GbE line | alloc B (threads / process) | GC 0/1/2 | status |")
                .AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            foreach (var cell in report.Cells.Where(cell => cell.Workers == workers))
            {
                text.AppendLine(Row(cell));
            }

            text.AppendLine();
        }

        var profiled = report.Cells.Where(cell => cell.Stages.Any(stage => stage.NanosecondsPerPacket is not null)).ToList();
        if (profiled.Count > 0)
        {
            text.AppendLine("## Where the time goes")
                .AppendLine()
                .AppendLine("Per pipeline stage, its time over the measured windows divided by every packet received, so the stages add up to the pipeline's time per packet (each stage timed on one batch in 16, as `dataplane ctl runtime.show` reports it). A stage is handed only the packets of the kinds it takes; one handed none is not called and not listed.")
                .AppendLine()
                .AppendLine("| scenario | frame B | workers | stages: ns per packet |")
                .AppendLine("|---|---:|---:|---|");
            foreach (var cell in profiled)
            {
                double received = cell.Stages[0].SampledPackets;
                string stages = string.Join(" · ", cell.Stages.Where(stage => stage.Calls > 0).Select(stage =>
                    Invariant($"{stage.Name} {(received > 0 ? (stage.SampledNanoseconds / received).ToString("F1", CultureInfo.InvariantCulture) : "-")}")));
                text.AppendLine(Invariant($"| {cell.Scenario} | {cell.FrameBytes} | {cell.Workers} | {stages} |"));
            }

            text.AppendLine();
        }

        if (report.GcCheck is { } gc)
        {
            text.AppendLine("## GC check")
                .AppendLine()
                .AppendLine(Invariant($"itr-v4, {gc.FrameBytes} B, {gc.Workers} worker(s), one {report.Options.GcSeconds:0.#} s window at full rate: {gc.MedianTotalMpps:F2} Mpps, allocated {gc.MaxThreadAllocatedBytes} B on the worker threads, {gc.MaxProcessAllocatedBytes} B process-wide, collections gen0/1/2 {gc.Gen0Collections}/{gc.Gen1Collections}/{gc.Gen2Collections} (target 0 and 0){(gc.Failed ? " **FAILED**: " + gc.Failure : "")}."))
                .AppendLine();
        }

        text.AppendLine("## C baseline (native/bench/itr_baseline.c)").AppendLine();
        if (report.Baseline is not { } baseline)
        {
            text.AppendLine("not run.");
        }
        else if (baseline.MedianMpps is double c)
        {
            var cell = report.BaselineCell;
            string ratio = report.CSharpToCRatio is double r ? Invariant($"C#/C = {r:F2}") : "no C# itr-v4 64 B 1-worker cell in this run to compare";
            text.AppendLine(Invariant($"itr-v4 64 B, 1 worker, same {options.Prefixes}-prefix map-cache and the same {options.Ring}-frame ring: C {c:F2} Mpps (runs {string.Join(", ", baseline.RunsMpps.Select(m => m.ToString("F2", CultureInfo.InvariantCulture)))}), C# {(cell is null ? "-" : cell.MedianTotalMpps.ToString("F2", CultureInfo.InvariantCulture))} Mpps: {ratio}."))
                .AppendLine()
                .AppendLine(Invariant($"`{baseline.Command}`"));
        }
        else
        {
            text.AppendLine(Invariant($"not measured: {baseline.Problem}"));
        }

        return text.ToString();
    }

    private static string Row(CellResult cell)
    {
        string size = cell.FrameBytes == cell.RequestedFrameBytes ? cell.FrameBytes.ToString(CultureInfo.InvariantCulture) : Invariant($"{cell.FrameBytes} (for {cell.RequestedFrameBytes})");
        string status = cell.Failed ? "**FAIL**: " + cell.Failure : "ok";
        if (cell.PinningProblem is not null)
        {
            status += $" (workers not pinned: {cell.PinningProblem})";
        }

        return Invariant($"| {cell.Scenario} | {size} | {cell.MedianMppsPerWorker:F2} | {cell.MedianTotalMpps:F2} ({cell.MinTotalMpps:F2}-{cell.MaxTotalMpps:F2}) | {cell.NsPerPacket:F1} | {cell.WireGbps:F2} | {cell.LineRateRatio:F2} | {cell.MaxThreadAllocatedBytes} / {cell.MaxProcessAllocatedBytes} | {cell.Gen0Collections}/{cell.Gen1Collections}/{cell.Gen2Collections} | {status} |");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
