namespace Dataplane.Forwarding.Counters;

/// <summary>
/// One worker's counters: plain increments on fields and arrays owned by that worker (no atomics, no sharing on
/// the hot path). Readers on other threads sum them through <see cref="CounterSnapshot"/>; a read can be a batch
/// behind but each 64-bit value is read whole (x64 loads of aligned longs are atomic).
/// </summary>
public sealed class WorkerCounters
{
    private static readonly int DropReasonCount = Enum.GetValues<DropReason>().Length;

    private static readonly int EventCount = Enum.GetValues<ForwardingEvent>().Length;

    private readonly long[] _drops = new long[DropReasonCount];

    private readonly long[] _events = new long[EventCount];

    public long Received;

    public long Transmitted;

    public long Punted;

    /// <summary>Packets stages added to the worker's batches (replicas, fragments), through the <c>PacketEmitter</c>.</summary>
    public long Emitted;

    /// <summary>Counts drops under a reason. A drop under <see cref="DropReason.None"/> is a bug in a stage; it is still counted, and listed, so conservation holds and the bug shows.</summary>
    public void Drop(DropReason reason, long count = 1) => _drops[(int)reason] += count;

    public long Dropped(DropReason reason) => Volatile.Read(ref _drops[(int)reason]);

    /// <summary>Counts something a stage did (an encapsulation, a reply sent); not part of the conservation sum.</summary>
    public void Count(ForwardingEvent forwardingEvent, long count = 1) => _events[(int)forwardingEvent] += count;

    public long Counted(ForwardingEvent forwardingEvent) => Volatile.Read(ref _events[(int)forwardingEvent]);

    public long TotalDropped
    {
        get
        {
            long total = 0;
            for (int i = 0; i < _drops.Length; i++)
            {
                total += Volatile.Read(ref _drops[i]);
            }

            return total;
        }
    }

    internal long DroppedUnderNone => Volatile.Read(ref _drops[0]);
}
