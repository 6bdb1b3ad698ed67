namespace Dataplane.Tables.Time;

/// <summary>
/// A monotonic tick source for TTL expiry. The map-cache stores absolute expiry ticks so the hot path and the
/// sweep compare two longs; tests drive a <see cref="ManualClock"/> instead of sleeping.
/// </summary>
public interface IMonotonicClock
{
    /// <summary>Current time in ticks; only differences are meaningful.</summary>
    long Now { get; }

    /// <summary>Ticks per second.</summary>
    long Frequency { get; }
}
