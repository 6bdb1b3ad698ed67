using Dataplane.Tables.Time;

namespace Dataplane.Ports.Replay;

/// <summary>
/// The clock of a replay: capture time, in nanoseconds, advanced to each batch's first timestamp. TTLs, MAC aging
/// and rate limits then behave as they would have when the capture was taken, and a replay gives the same output
/// however fast the machine is. Never goes backwards (captures can hold out-of-order timestamps).
/// </summary>
public sealed class ReplayClock : IMonotonicClock
{
    private long now;

    public long Now => Volatile.Read(ref now);

    public long Frequency => 1_000_000_000;

    /// <summary>Moves the clock to <paramref name="timestampNanoseconds"/> if that is later than now.</summary>
    public void AdvanceTo(long timestampNanoseconds)
    {
        if (timestampNanoseconds > now)
        {
            Volatile.Write(ref now, timestampNanoseconds);
        }
    }
}
