using System.Diagnostics;
using Dataplane.Control.Logging;
using Dataplane.Control.Socket;
using Dataplane.Runtime.Workers;
using Dataplane.Throughput.Scenarios;

namespace Dataplane.Throughput.Soak;

/// <summary>
/// The soak: an ITR worker (1M-prefix map-cache, itr-v4 frames) and a VTEP worker (vtep-encap frames) at full rate
/// from in-memory rings on their own threads, while <see cref="SoakControlClient"/> applies updates to the ITR's
/// plane through a real <see cref="ControlServer"/> on a Unix socket in a temporary directory; every second one
/// <see cref="SoakSample"/>. At the end: per-worker conservation, every update acknowledged, memory flat.
/// Once a second, as the daemon's control thread does (<see cref="DataplaneRuntime"/>), the workers are paused at
/// their quiescent point and the planes reclaim what updates retired (LPM groups, map-cache slots): without that,
/// every add/remove cycle strands a 1 KiB LPM group and a slot, and the soak measures its own missing maintenance.
/// </summary>
public static class SoakRunner
{
    public static SoakResult Run(SoakOptions options, TextWriter log)
    {
        var setup = Stopwatch.StartNew();
        var settings = new ScenarioSettings(options.Prefixes);
        var itrScenario = new ItrV4Scenario();
        var vtepScenario = new VtepEncapScenario();
        var (itrPlane, itrPipelines) = CellRunner.Build(itrScenario, settings, 1);
        var (vtepPlane, vtepPipelines) = CellRunner.Build(vtepScenario, settings, 1);
        var barrier = new QuiescenceBarrier();
        var workers = new[]
        {
            new SoakWorker("itr-0", itrScenario, settings, itrPipelines[0], barrier),
            new SoakWorker("vtep-0", vtepScenario, settings, vtepPipelines[0], barrier),
        };
        int reclaimPauses = 0, reclaimsMissed = 0;

        string directory = Directory.CreateTempSubdirectory("dp-soak-").FullName;
        var failures = new List<string>();
        var samples = new List<SoakSample>();
        SoakControlClient client;
        try
        {
            // The control server logs every mutation at Info, as the daemon does; at 10000 updates/s that is a console
            // flood the soak would then be measuring. Warnings and errors (a stalled client, a refused line) still show.
            using var logging = DaemonLogging.Create(LogFormat.Plain, Microsoft.Extensions.Logging.LogLevel.Warning, Console.Error);
            var methods = new ControlMethods(itrPlane);
            methods.Context.Logging = logging;
            using var server = new ControlServer(Path.Combine(directory, "control.sock"), methods);
            server.Start();
            client = new SoakControlClient(server.Path, options.UpdatesPerSecond, options.Prefixes);
            GC.Collect(); // the setup's garbage (the map-cache's builders, frame templates) before the first sample
            setup.Stop();
            log.WriteLine($"soak: setup {setup.Elapsed.TotalSeconds:F1} s ({options.Prefixes} prefixes); running {options.Seconds} s at {options.UpdatesPerSecond} updates/s");

            var threads = new List<Thread>();
            foreach (var worker in workers)
            {
                threads.Add(new Thread(worker.Run) { Name = $"soak-{worker.Name}", IsBackground = true });
            }

            threads.Add(new Thread(client.Run) { Name = "soak-control-client", IsBackground = true });
            foreach (var thread in threads)
            {
                thread.Start();
            }

            var clock = Stopwatch.StartNew();
            for (int second = 1; second <= options.Seconds; second++)
            {
                // Sleep to the second's mark (not 1 s after the last sample: the sampling itself takes time).
                var wait = TimeSpan.FromSeconds(second) - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    Thread.Sleep(wait);
                }

                if (barrier.TryPauseAll(TimeSpan.FromMilliseconds(50)))
                {
                    itrPlane.ReclaimRetired();
                    vtepPlane.ReclaimRetired();
                    reclaimPauses++;
                }
                else
                {
                    reclaimsMissed++;
                }

                barrier.Release();
                var sample = Sample(clock.Elapsed.TotalSeconds, workers, client);
                samples.Add(sample);
                if (second % 10 == 0 || second == options.Seconds)
                {
                    log.WriteLine($"soak: {second,5} s  packets {string.Join(" / ", sample.Packets)}  updates acked {sample.UpdatesAcknowledged}  RSS {sample.RssBytes >> 20} MiB  heap {sample.GcHeapBytes >> 20} MiB  gen0/1/2 {sample.Gen0}/{sample.Gen1}/{sample.Gen2}");
                }

                if (client.Failure is not null || Array.Exists(workers, w => w.Failure is not null))
                {
                    break;
                }
            }

            client.Stop();
            foreach (var worker in workers)
            {
                worker.Stop();
            }

            foreach (var thread in threads)
            {
                if (!thread.Join(TimeSpan.FromSeconds(60)))
                {
                    failures.Add($"thread {thread.Name} did not stop within 60 s");
                }
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        var results = new List<SoakWorkerResult>();
        foreach (var worker in workers)
        {
            if (worker.Failure is not null)
            {
                failures.Add(worker.Failure);
            }

            var result = SoakWorkerResult.From(worker.Name, worker.Scenario.Name, worker.Packets, worker.Pipeline.Counters);
            results.Add(result);
            if (!result.Conserved)
            {
                failures.Add($"{worker.Name}: fed {result.Fed}, rx {result.Received} != tx {result.Transmitted} + punted {result.Punted} + dropped {result.TotalDropped}");
            }

            if (result.Received == 0)
            {
                failures.Add($"{worker.Name}: no packet went through");
            }
        }

        if (client.Failure is not null)
        {
            failures.Add(client.Failure);
        }

        if (client.Acknowledged != client.Sent)
        {
            failures.Add($"{client.Sent} updates sent, {client.Acknowledged} acknowledged");
        }

        if (reclaimsMissed > samples.Count / 10)
        {
            failures.Add($"the workers missed {reclaimsMissed} of {samples.Count} reclaim pauses (50 ms each): retired table memory piles up");
        }

        long expected = (long)options.Seconds * options.UpdatesPerSecond;
        if (client.Acknowledged < expected * 9 / 10)
        {
            failures.Add($"{client.Acknowledged} updates acknowledged of the {expected} due ({options.Seconds} s x {options.UpdatesPerSecond}/s): the control path fell behind by more than 10 %");
        }

        var memory = samples.Count >= 2 ? SoakMemoryVerdict.From(samples) : null;
        if (memory is null)
        {
            failures.Add("fewer than two samples");
        }
        else
        {
            if (!memory.RssFlat)
            {
                failures.Add($"RSS grew: max {memory.RssSecondHalfMax} B in the second half against {memory.RssFirstHalfMax} B in the first (bound {memory.RssGrowthBoundBytes} B)");
            }

            if (!memory.HeapFlat)
            {
                failures.Add($"GC heap grew: max {memory.HeapSecondHalfMax} B in the second half against {memory.HeapFirstHalfMax} B in the first (bound {memory.HeapGrowthBoundBytes} B)");
            }

            if (!memory.Gen2Flat)
            {
                failures.Add($"gen2 collections grew: {memory.Gen2SecondHalf} in the second half against {memory.Gen2FirstHalf} in the first");
            }
        }

        GC.KeepAlive(vtepPlane);
        return new SoakResult(options, setup.Elapsed.TotalSeconds, samples, results, client.Sent, client.Acknowledged, reclaimPauses, reclaimsMissed, memory!, failures);
    }

    private static SoakSample Sample(double seconds, SoakWorker[] workers, SoakControlClient client)
    {
        var packets = new long[workers.Length];
        for (int i = 0; i < workers.Length; i++)
        {
            packets[i] = workers[i].Packets;
        }

        return new SoakSample(seconds, packets, client.Acknowledged, ResidentSetBytes(), GC.GetGCMemoryInfo().HeapSizeBytes,
            GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
    }

    /// <summary>VmRSS of /proc/self/status (kB), in bytes; the process's working set where there is no /proc.</summary>
    public static long ResidentSetBytes()
    {
        const string path = "/proc/self/status";
        if (File.Exists(path))
        {
            foreach (string line in File.ReadLines(path))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }

        return Environment.WorkingSet;
    }
}
