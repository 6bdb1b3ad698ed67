namespace Dataplane.Throughput;

/// <summary>One measured window of one worker.</summary>
public sealed record WorkerWindow(int Worker, long Packets, double Seconds, long AllocatedBytes)
{
    public double Mpps => Seconds > 0 ? Packets / Seconds / 1e6 : 0;
}

/// <summary>One measured window of a cell: every worker ran at once.</summary>
public sealed record RunResult(IReadOnlyList<WorkerWindow> Workers, long ProcessAllocatedBytes, int Gen0Collections, int Gen1Collections, int Gen2Collections)
{
    public double TotalMpps => Workers.Sum(worker => worker.Mpps);

    /// <summary>Allocated bytes on the worker threads (GC.GetAllocatedBytesForCurrentThread), summed.</summary>
    public long ThreadAllocatedBytes => Workers.Sum(worker => worker.AllocatedBytes);

    public long Packets => Workers.Sum(worker => worker.Packets);
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
