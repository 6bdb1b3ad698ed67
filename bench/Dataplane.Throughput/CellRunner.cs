using Dataplane.Forwarding.Pipeline;
using Dataplane.Throughput.Scenarios;

namespace Dataplane.Throughput;

/// <summary>Runs one cell: W worker threads over one plane's pipelines, the coordinator reading the process-wide GC figures per window.</summary>
public static class CellRunner
{
    public static CellResult Run(IScenario scenario, ScenarioSettings scenarioSettings, IReadOnlyList<ForwardingPipeline> pipelines, int requestedFrameBytes, int workers, CellSettings settings)
    {
        if (workers < 1 || workers > pipelines.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(workers), workers, $"between 1 and {pipelines.Count} pipelines");
        }

        int frameLength = Math.Max(requestedFrameBytes - 4, scenario.MinimumFrameLength);
        using var barrier = new Barrier(workers + 1);
        var loops = new WorkerLoop[workers];
        var threads = new Thread[workers];
        for (int i = 0; i < workers; i++)
        {
            loops[i] = new WorkerLoop(i, scenario, scenarioSettings, settings, pipelines[i], frameLength, barrier);
            threads[i] = new Thread(loops[i].Run) { Name = $"throughput-worker-{i}", IsBackground = true };
            threads[i].Start();
        }

        barrier.SignalAndWait(); // every ring built and checked
        GC.Collect(); // the setup's garbage (frame templates, a 1M-prefix map-cache's builders) before any window
        var runs = new List<RunResult>();
        for (int run = 0; run < settings.Runs; run++)
        {
            barrier.SignalAndWait(); // open: the workers' warm-up is over
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
            barrier.SignalAndWait(); // closed
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            gen0 = GC.CollectionCount(0) - gen0;
            gen1 = GC.CollectionCount(1) - gen1;
            gen2 = GC.CollectionCount(2) - gen2;
            var windows = new List<WorkerWindow>();
            foreach (var loop in loops)
            {
                if (loop.Windows.Count > run)
                {
                    windows.Add(loop.Windows[run]);
                }
            }

            runs.Add(new RunResult(windows, allocated, gen0, gen1, gen2));
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        string? failure = null, pinning = null;
        foreach (var loop in loops)
        {
            failure ??= loop.Failure;
            pinning ??= loop.PinningProblem;
        }

        return new CellResult(scenario.Name, requestedFrameBytes, frameLength + 4, workers, frameLength, loops[0].TransmittedLength, runs, failure, pinning);
    }

    /// <summary>A plane for <paramref name="scenario"/> with its tables filled and <paramref name="workers"/> pipelines.</summary>
    public static (ForwardingPlane Plane, ForwardingPipeline[] Pipelines) Build(IScenario scenario, ScenarioSettings settings, int workers)
    {
        var plane = ForwardingPlaneBuilder.Build(scenario.Configuration(settings), new ForwardingPlaneOptions { NonceSeed = 1 });
        scenario.Populate(plane, settings);
        var pipelines = new ForwardingPipeline[workers];
        for (int i = 0; i < workers; i++)
        {
            pipelines[i] = plane.CreateWorker();
        }

        return (plane, pipelines);
    }
}
