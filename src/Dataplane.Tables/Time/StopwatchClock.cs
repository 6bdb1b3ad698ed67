using System.Diagnostics;

namespace Dataplane.Tables.Time;

/// <summary>The production clock: <see cref="Stopwatch"/> ticks, monotonic and unaffected by wall-clock changes.</summary>
public sealed class StopwatchClock : IMonotonicClock
{
    public static StopwatchClock Instance { get; } = new();

    private StopwatchClock()
    {
    }

    public long Now => Stopwatch.GetTimestamp();

    public long Frequency => Stopwatch.Frequency;
}
