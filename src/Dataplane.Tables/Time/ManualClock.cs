namespace Dataplane.Tables.Time;

/// <summary>A clock that moves only when told to: for tests and for pcap replay, where time comes from the capture.</summary>
public sealed class ManualClock(long frequency = 1000) : IMonotonicClock
{
    private long now;

    public long Now => Volatile.Read(ref now);

    public long Frequency { get; } = frequency > 0 ? frequency : throw new ArgumentOutOfRangeException(nameof(frequency));

    public void Advance(TimeSpan by) => Interlocked.Add(ref now, (long)(by.TotalSeconds * Frequency));

    public void AdvanceTicks(long ticks) => Interlocked.Add(ref now, ticks);
}
