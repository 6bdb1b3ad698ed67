using Dataplane.Tables.Time;

namespace Dataplane.Control.FlowExport;

/// <summary>
/// The plane's monotonic clock read as UNIX milliseconds (what flowStartMilliseconds / flowEndMilliseconds hold): one
/// pairing of the two clocks taken when the exporter starts, so a wall-clock step later does not bend the records.
/// </summary>
public sealed class ExportClock(IMonotonicClock clock, long unixMillisecondsAtStart)
{
    private readonly long ticksAtStart = clock.Now;

    public ExportClock(IMonotonicClock clock)
        : this(clock, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())
    {
    }

    /// <summary>Now, in UNIX milliseconds.</summary>
    public long Now => ToUnixMilliseconds(clock.Now);

    public long ToUnixMilliseconds(long ticks) => unixMillisecondsAtStart + (long)((Int128)(ticks - ticksAtStart) * 1000 / clock.Frequency);
}
