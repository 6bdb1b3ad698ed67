using Dataplane.Throughput.Reports;
using Dataplane.Throughput.Scenarios;

namespace Dataplane.Throughput;

/// <summary>
/// The in-memory throughput harness: every scenario's pipeline fed from per-worker rings of prebuilt
/// frames, no ports, at each frame size and worker count; then the GC check and the C baseline; then the reports.
/// Exit 0 when every cell went the intended way, 1 when one failed, 2 on bad arguments.
/// </summary>
public static class Harness
{
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        HarnessOptions options;
        try
        {
            options = HarnessOptions.Parse(args);
        }
        catch (ArgumentException exception)
        {
            error.WriteLine($"throughput: {exception.Message}");
            error.WriteLine(HarnessOptions.Usage);
            return 2;
        }

        if (options.Help)
        {
            output.WriteLine(HarnessOptions.Usage);
            return 0;
        }

        var report = Measure(options, "bench/throughput/run " + string.Join(" ", args), error);
        Directory.CreateDirectory(options.Out);
        string markdown = MarkdownReport.Write(report);
        File.WriteAllText(Path.Combine(options.Out, "throughput.md"), markdown);
        File.WriteAllText(Path.Combine(options.Out, "throughput.json"), JsonReport.Write(report));
        File.WriteAllText(Path.Combine(options.Out, "throughput.svg"), SvgChart.Write(report));
        output.Write(markdown);
        if (report.Failed)
        {
            error.WriteLine("throughput: FAILED: a cell's packets did not all go the intended way (see the report)");
            return 1;
        }

        return 0;
    }

    public static HarnessReport Measure(HarnessOptions options, string commandLine, TextWriter progress)
    {
        var machine = MachineInfo.Read();
        var scenarioSettings = new ScenarioSettings(options.Prefixes);
        int maxWorkers = options.Workers.Max();
        // A scenario's first cell warms longer: tiered compilation (on, with dynamic PGO: the daemon's defaults)
        // promotes the hot loops to tier 1 within it, so no later window measures tier-0 or instrumented code.
        var firstCellExtraWarmup = TimeSpan.FromSeconds(options.FirstCellExtraWarmupSeconds);
        var cells = new List<CellResult>();
        foreach (string name in options.Scenarios)
        {
            var scenario = ScenarioCatalog.Find(name)!;
            progress.WriteLine($"throughput: {scenario.Name}: building the plane ...");
            var (_, pipelines) = CellRunner.Build(scenario, scenarioSettings, maxWorkers);
            bool first = true;
            foreach (int workers in options.Workers)
            {
                foreach (int size in options.Sizes)
                {
                    var warmup = TimeSpan.FromSeconds(options.WarmupSeconds) + (first ? firstCellExtraWarmup : TimeSpan.Zero);
                    var cell = CellRunner.Run(scenario, scenarioSettings, pipelines, size, workers, new CellSettings(warmup, TimeSpan.FromSeconds(options.Seconds), options.Runs, options.Ring));
                    first = false;
                    cells.Add(cell);
                    progress.WriteLine($"throughput: {scenario.Name} {cell.FrameBytes} B x{workers}: {cell.MedianTotalMpps:F2} Mpps (on-CPU {cell.MedianOnCpuMppsPerWorker:F2} Mpps per worker){(cell.Failed ? " FAILED: " + cell.Failure : "")}");
                }
            }

            pipelines = [];
            GC.Collect(); // the scenario's plane (a 1M-prefix map-cache) goes before the next one is built
        }

        CellResult? gcCheck = null;
        if (options.GcSeconds > 0)
        {
            var scenario = ScenarioCatalog.Find("itr-v4")!;
            progress.WriteLine($"throughput: GC check: itr-v4 64 B x{maxWorkers} for {options.GcSeconds} s ...");
            var (_, pipelines) = CellRunner.Build(scenario, scenarioSettings, maxWorkers);
            gcCheck = CellRunner.Run(scenario, scenarioSettings, pipelines, 64, maxWorkers, new CellSettings(TimeSpan.FromSeconds(options.WarmupSeconds) + firstCellExtraWarmup, TimeSpan.FromSeconds(options.GcSeconds), 1, options.Ring));
            GC.Collect();
        }

        progress.WriteLine("throughput: C baseline ...");
        var baseline = BaselineResult.Run(options.Baseline, options.Prefixes, options.Ring, options.Seconds, options.Runs);
        machine.LoadAverageAtEnd = MachineInfo.LoadAverage();
        return new HarnessReport(machine, commandLine, options, cells, gcCheck, baseline);
    }
}
