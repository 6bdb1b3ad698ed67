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
        // Process-wide figures per window, in preallocated arrays: the coordinator allocates nothing between the barriers either.
        long[] allocated = new long[settings.Runs];
        int[,] collections = new int[settings.Runs, 3];
        var measured = pipelines.Take(workers).Select(p => p.Runtime).ToArray();
        StageFigures[]? stages = null;
        barrier.SignalAndWait(); // warmed up
        // Where the time goes, over the measured windows only. Read while the workers wait at a barrier (here, and after
        // each window closes) so every stage's figures are of the same batches; read before an allocation count starts.
        var atOpen = StageRuntime.Sum(measured);
        for (int run = 0; run < settings.Runs; run++)
        {
            barrier.SignalAndWait(); // open
            allocated[run] = GC.GetTotalAllocatedBytes(precise: true);
            for (int generation = 0; generation < 3; generation++)
            {
                collections[run, generation] = GC.CollectionCount(generation);
            }

            barrier.SignalAndWait(); // closed
            allocated[run] = GC.GetTotalAllocatedBytes(precise: true) - allocated[run];
            for (int generation = 0; generation < 3; generation++)
            {
                collections[run, generation] = GC.CollectionCount(generation) - collections[run, generation];
            }

            var atClose = StageRuntime.Sum(measured);
            var window = atClose.Select((stage, i) => stage.Since(atOpen[i])).ToArray();
            atOpen = atClose;
            stages = stages is null ? window : [.. stages.Select((stage, i) => stage.Plus(window[i]))];
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        var runs = new List<RunResult>();
        for (int run = 0; run < settings.Runs; run++)
        {
            var windows = new List<WorkerWindow>();
            foreach (var loop in loops)
            {
                if (loop.Windows.Count > run)
                {
                    windows.Add(loop.Windows[run]);
                }
            }

            runs.Add(new RunResult(windows, allocated[run], collections[run, 0], collections[run, 1], collections[run, 2]));
        }

        string? failure = null, pinning = null;
        foreach (var loop in loops)
        {
            failure ??= loop.Failure;
            pinning ??= loop.PinningProblem;
        }

        return new CellResult(scenario.Name, requestedFrameBytes, frameLength + 4, workers, frameLength, loops[0].TransmittedLength, runs, failure, pinning)
        {
            Stages = stages ?? [],
        };
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
