namespace Dataplane.Forwarding.Egress;

/// <summary>
/// What one worker's scheduler of one port works with: the configured rates divided by the workers that send to the
/// port (each worker shapes its own share, without sharing anything per packet), the queue sizes as configured.
/// The last class is best effort.
/// </summary>
public sealed record EgressSchedulerSettings(long RateBitsPerSecond, long BurstBytes, int FrameOverheadBytes, IReadOnlyList<EgressClassSettings> Classes)
{
    /// <summary>
    /// 10 ms at the rate, at least 64 KiB: the credit a port keeps while its worker is away (descheduled by the kernel,
    /// parked at the quiescent point, busy on a large batch). A shallower bucket loses the rate of every longer absence.
    /// </summary>
    public static long DefaultBurstBytes(long rateBitsPerSecond) =>
        Math.Clamp(rateBitsPerSecond / 8 / 100, 64 * 1024, EgressConfigCheck.MaxBurstBytes);

    /// <summary>The share of <paramref name="config"/> one of <paramref name="workers"/> workers gets.</summary>
    public static EgressSchedulerSettings From(EgressConfig config, int workers)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        long rate = Math.Max(1, config.RateBitsPerSecond / workers);
        long burst = config.BurstBytes ?? DefaultBurstBytes(config.RateBitsPerSecond);
        burst = Math.Max(EgressConfigCheck.MinBurstBytes, burst / workers);
        var classes = new List<EgressClassSettings>(config.Classes.Count + 1);
        foreach (var cls in config.Classes)
        {
            classes.Add(new EgressClassSettings(cls.Name, [.. cls.Dscp], cls.GuaranteedBitsPerSecond / workers, cls.Weight, cls.QueuePackets));
        }

        classes.Add(new EgressClassSettings(EgressConfigCheck.BestEffortName, [], 0, config.BestEffort.Weight, config.BestEffort.QueuePackets));
        return new EgressSchedulerSettings(rate, burst, config.FrameOverheadBytes, classes);
    }
}

/// <summary>One class as a worker's scheduler runs it.</summary>
public sealed record EgressClassSettings(string Name, IReadOnlyList<int> Dscp, long GuaranteedBitsPerSecond, int Weight, int QueuePackets);
