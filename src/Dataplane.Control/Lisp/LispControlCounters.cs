namespace Dataplane.Control.Lisp;

/// <summary>Counts per <see cref="LispControlEvent"/>; written by the control thread, read by metrics and ctl from any thread.</summary>
public sealed class LispControlCounters
{
    private readonly long[] counts = new long[Enum.GetValues<LispControlEvent>().Length];

    public void Count(LispControlEvent e) => Interlocked.Increment(ref counts[(int)e]);

    public long this[LispControlEvent e] => Interlocked.Read(ref counts[(int)e]);

    /// <summary>Every counter by name, in enum order.</summary>
    public IReadOnlyList<(string Name, long Count)> Snapshot() =>
        Enum.GetValues<LispControlEvent>().Select(e => (e.ToString(), this[e])).ToArray();
}
