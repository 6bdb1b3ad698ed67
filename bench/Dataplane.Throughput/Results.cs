namespace Dataplane.Throughput;

/// <summary>One measured window of one worker; <paramref name="CpuSeconds"/> is the CPU time its thread ran in it (0: unknown).</summary>
public sealed record WorkerWindow(int Worker, long Packets, double Seconds, long AllocatedBytes, double CpuSeconds = 0)
{
    public double Mpps => Seconds > 0 ? Packets / Seconds / 1e6 : 0;

    /// <summary>Packets per second of the worker's own CPU time: what the code costs, whatever share of the core it got.</summary>
    public double OnCpuMpps => CpuSeconds > 0 ? Packets / CpuSeconds / 1e6 : 0;
}

/// <summary>One measured window of a cell: every worker ran at once.</summary>
public sealed record RunResult(IReadOnlyList<WorkerWindow> Workers, long ProcessAllocatedBytes, int Gen0Collections, int Gen1Collections, int Gen2Collections)
{
    public double TotalMpps => Workers.Sum(worker => worker.Mpps);

    /// <summary>Allocated bytes on the worker threads (GC.GetAllocatedBytesForCurrentThread), summed.</summary>
    public long ThreadAllocatedBytes => Workers.Sum(worker => worker.AllocatedBytes);

    public long Packets => Workers.Sum(worker => worker.Packets);

    /// <summary>Packets over the workers' CPU time, per worker: 0 when a worker's CPU time is unknown.</summary>
    public double OnCpuMppsPerWorker => Workers.Any(worker => worker.CpuSeconds <= 0) ? 0 : Workers.Average(worker => worker.OnCpuMpps);
}

/// <summary>One cell: a scenario at a frame size with a number of workers, its runs and what they add up to.</summary>
public sealed record CellResult(
    string Scenario,
    int RequestedFrameBytes,
    int FrameBytes,
    int Workers,
    int ReceivedLength,
    int TransmittedLength,
    IReadOnlyList<RunResult> Runs,
    string? Failure,
    string? PinningProblem)
{
    /// <summary>Per pipeline stage over the measured windows (classify, the role's stages, settle): calls, packets, time per packet.</summary>
    public IReadOnlyList<Dataplane.Forwarding.Pipeline.StageFigures> Stages { get; init; } = [];

    public bool Failed => Failure is not null;

    public double MedianTotalMpps => Statistics.Median(Runs.Select(run => run.TotalMpps));

    public double MinTotalMpps => Runs.Count == 0 ? 0 : Runs.Min(run => run.TotalMpps);

    public double MaxTotalMpps => Runs.Count == 0 ? 0 : Runs.Max(run => run.TotalMpps);

    public double MedianMppsPerWorker => MedianTotalMpps / Workers;

    /// <summary>Median over runs of the packets per CPU-second of a worker (<see cref="WorkerWindow.OnCpuMpps"/>); 0 when unknown.</summary>
    public double MedianOnCpuMppsPerWorker => Statistics.Median(Runs.Select(run => run.OnCpuMppsPerWorker));

    /// <summary>Time one worker spends per packet at the median rate.</summary>
    public double NsPerPacket => MedianMppsPerWorker > 0 ? 1e3 / MedianMppsPerWorker : 0;

    public double WireGbps => LineRate.WireGbps(MedianTotalMpps, FrameBytes);

    public double LineRateMpps => LineRate.TenGigabitMpps(FrameBytes);

    public double LineRateRatio => MedianTotalMpps / LineRateMpps;

    public long MaxThreadAllocatedBytes => Runs.Count == 0 ? 0 : Runs.Max(run => run.ThreadAllocatedBytes);

    public long MinThreadAllocatedBytes => Runs.Count == 0 ? 0 : Runs.Min(run => run.ThreadAllocatedBytes);

    public long MaxProcessAllocatedBytes => Runs.Count == 0 ? 0 : Runs.Max(run => run.ProcessAllocatedBytes);

    public int Gen0Collections => Runs.Sum(run => run.Gen0Collections);

    public int Gen1Collections => Runs.Sum(run => run.Gen1Collections);

    public int Gen2Collections => Runs.Sum(run => run.Gen2Collections);
}
