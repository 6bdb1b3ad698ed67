using Dataplane.Forwarding.Neighbours;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Runtime.Ports;

namespace Dataplane.Runtime.Workers;

/// <summary>
/// The running data plane: one pinned thread per worker (run to completion over its queue of every port) and a
/// control thread that drains the punt queues and, once a second, parks every worker at its quiescent point for
/// the moment it takes to reclaim table memory retired by updates (<see cref="QuiescenceBarrier"/>).
/// </summary>
public sealed class DataplaneRuntime : IDisposable
{
    private readonly ForwardingPlane plane;
    private readonly PortSet ports;
    private readonly ForwardingWorker[] workers;
    private readonly Thread[] threads;
    private readonly CancellationTokenSource stop = new();
    private readonly QuiescenceBarrier barrier = new();
    private readonly List<string> warnings = [];
    private readonly List<IControlPlaneService> services = [];
    private readonly List<string> serviceActivities = [];
    private Thread? control;
    private volatile string controlActivity = "not started";

    public DataplaneRuntime(ForwardingPlane plane, PortSet ports, int workerCount, IReadOnlyList<int> cores)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workerCount);
        this.plane = plane;
        this.ports = ports;
        workers = new ForwardingWorker[workerCount];
        threads = new Thread[workerCount];
        for (int i = 0; i < workerCount; i++)
        {
            var worker = workers[i] = new ForwardingWorker(i, plane.CreateWorker(), ports, Egress.WorkerEgress.Create(plane.Config, workerCount));
            int? core = i < cores.Count ? cores[i] : null;
            threads[i] = new Thread(() => RunWorker(worker, core)) { Name = $"dataplane-worker-{i}", IsBackground = true };
        }
    }

    public IReadOnlyList<ForwardingWorker> Workers => workers;

    /// <summary>Adds a control-plane service (before <see cref="Start"/>): it sees every punt and a tick per control round.</summary>
    public void AddService(IControlPlaneService service)
    {
        if (control is not null)
        {
            throw new InvalidOperationException("services are added before Start");
        }

        services.Add(service);
        serviceActivities.Add($"the timers of {service.GetType().Name}");
    }

    /// <summary>Pinning problems and the like, for the log.</summary>
    public IReadOnlyList<string> Warnings
    {
        get
        {
            lock (warnings)
            {
                return [.. warnings];
            }
        }
    }

    public void Start()
    {
        foreach (var thread in threads)
        {
            barrier.Enter(); // before the thread runs, so a pause requested meanwhile waits for it
            thread.Start();
        }

        control = new Thread(ControlLoop) { Name = "dataplane-control", IsBackground = true };
        control.Start();
    }

    /// <summary>True when no worker has received anything for <paramref name="idle"/>.</summary>
    public bool IdleFor(TimeSpan idle)
    {
        long now = Environment.TickCount64;
        return workers.All(w => now - w.LastReceiveTicks >= idle.TotalMilliseconds);
    }

    /// <summary>How long <see cref="Stop()"/> waits for the worker and control threads, all together.</summary>
    public static TimeSpan DefaultStopBound { get; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Stops the workers (each finishes its round) and the control thread, then drains what they punted. Bounded: a
    /// thread that has not stopped within <paramref name="bound"/> (all threads together) is named with what it was
    /// doing, and left behind (they are background threads, so they do not hold the process). Returns those
    /// problems, empty when everything stopped; <see cref="StoppedCleanly"/> says the same.
    /// </summary>
    public IReadOnlyList<string> Stop(TimeSpan bound)
    {
        stop.Cancel();
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        var stuck = new List<string>();
        for (int i = 0; i < threads.Length; i++)
        {
            if (!JoinWithin(threads[i], bound - deadline.Elapsed))
            {
                stuck.Add($"worker {i} did not stop within {bound.TotalSeconds:F0} s: last in {workers[i].Activity}");
            }
        }

        bool controlStopped = control is null || JoinWithin(control, bound - deadline.Elapsed);
        if (!controlStopped)
        {
            stuck.Add($"the control thread did not stop within {bound.TotalSeconds:F0} s: last in {controlActivity}");
        }
        else
        {
            DrainPunts(); // the control thread is the punt queues' only consumer: drain only once it is gone
        }

        StuckWorkers = stuck.Count > 0 && threads.Any(t => t.IsAlive);
        StopProblems = stuck;
        return stuck;
    }

    /// <summary>Stops within <see cref="DefaultStopBound"/>.</summary>
    public IReadOnlyList<string> Stop() => Stop(DefaultStopBound);

    /// <summary>What did not stop at the last <see cref="Stop(TimeSpan)"/>; empty when everything did.</summary>
    public IReadOnlyList<string> StopProblems { get; private set; } = [];

    /// <summary>True after a stop where every worker and the control thread ended.</summary>
    public bool StoppedCleanly => stop.IsCancellationRequested && StopProblems.Count == 0;

    /// <summary>
    /// A worker thread is still running after the stop: it may be inside a port call, so the ports must not be
    /// disposed under it (unmapping a ring it reads would crash the process instead of reporting).
    /// </summary>
    public bool StuckWorkers { get; private set; }

    private static bool JoinWithin(Thread thread, TimeSpan remaining) =>
        !thread.IsAlive || thread.Join(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);

    private void RunWorker(ForwardingWorker worker, int? core)
    {
        if (core is { } c && !CpuAffinity.TryPinCurrentThread(c, out string problem))
        {
            lock (warnings)
            {
                warnings.Add($"worker {worker.Index}: not pinned: {problem}");
            }
        }

        var threadAware = ports.All.OfType<IWorkerThreadSetup>().ToArray();
        foreach (var port in threadAware)
        {
            if (port.PrepareWorkerThread() is { } warning)
            {
                lock (warnings)
                {
                    warnings.Add($"worker {worker.Index}: {warning}");
                }
            }
        }

        try
        {
            worker.Run(stop.Token, barrier);
        }
        finally
        {
            foreach (var port in threadAware)
            {
                port.ReleaseWorkerThread();
            }

            barrier.Leave();
        }
    }

    private void ControlLoop()
    {
        long nextReclaim = Environment.TickCount64 + 1000;
        while (!stop.IsCancellationRequested)
        {
            controlActivity = "draining the punt queues";
            DrainPunts();
            TickServices();
            if (Environment.TickCount64 >= nextReclaim)
            {
                controlActivity = "pausing the workers to reclaim table memory";
                if (barrier.TryPauseAll(TimeSpan.FromMilliseconds(50)))
                {
                    plane.ReclaimRetired();
                }

                barrier.Release();
                controlActivity = "expiring neighbours";
                var clock = plane.Options.Clock;
                plane.Neighbours.Expire(clock.Now, plane.Config.NeighbourAgingSeconds * clock.Frequency);
                nextReclaim = Environment.TickCount64 + 1000;
            }

            controlActivity = "waiting for the next round";
            stop.Token.WaitHandle.WaitOne(10);
        }

        controlActivity = "stopped";
    }

    /// <summary>
    /// The control plane's side of the punt queues: ARP replies and neighbour advertisements teach the neighbour
    /// table, and every control-plane service (the LISP control plane ...) sees each packet before it is freed.
    /// Every punted packet was already counted by the pipeline.
    /// </summary>
    private void DrainPunts()
    {
        foreach (var worker in workers)
        {
            while (worker.Pipeline.Punts.TryDequeue(out var packet))
            {
                NeighbourLearning.TryLearn(packet, plane.Neighbours, plane.Options.Clock.Now);
                foreach (var service in services)
                {
                    try
                    {
                        service.OnPunt(packet);
                    }
                    catch (Exception e)
                    {
                        Contain(service, e);
                    }
                }

                ports.Free(ref packet);
            }
        }
    }

    private void TickServices()
    {
        long now = Environment.TickCount64;
        for (int i = 0; i < services.Count; i++)
        {
            var service = services[i];
            controlActivity = serviceActivities[i];
            try
            {
                service.OnTick(now);
            }
            catch (Exception e)
            {
                Contain(service, e);
            }
        }
    }

    /// <summary>A control-plane bug must not take the data plane down: log it (up to 100 warnings) and go on.</summary>
    private void Contain(IControlPlaneService service, Exception e)
    {
        lock (warnings)
        {
            if (warnings.Count < 100)
            {
                warnings.Add($"{service.GetType().Name}: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    public void Dispose()
    {
        if (!stop.IsCancellationRequested)
        {
            Stop();
        }

        if (StoppedCleanly)
        {
            stop.Dispose(); // a thread left behind may still wait on the token's handle
        }
    }
}
