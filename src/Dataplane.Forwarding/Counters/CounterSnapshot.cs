namespace Dataplane.Forwarding.Counters;

/// <summary>The sum of several workers' counters at one moment, with the conservation check every test and report uses.</summary>
public sealed record CounterSnapshot(long Received, long Transmitted, long Punted, IReadOnlyDictionary<DropReason, long> Drops)
{
    /// <summary>Per-stage event counts (encapsulated, decapsulated, replies ...), non-zero ones only.</summary>
    public IReadOnlyDictionary<ForwardingEvent, long> Events { get; init; } = new SortedDictionary<ForwardingEvent, long>();

    /// <summary>Packets stages added besides those received (replicas, fragments); they end like received ones.</summary>
    public long Emitted { get; init; }

    public long Dropped(DropReason reason) => Drops.GetValueOrDefault(reason);

    public long Counted(ForwardingEvent forwardingEvent) => Events.GetValueOrDefault(forwardingEvent);

    public long TotalDropped => Drops.Values.Sum();

    /// <summary>
    /// Every packet that entered, received or emitted by a stage, is accounted for: transmitted, punted to the control
    /// plane, or dropped under a reason.
    /// </summary>
    public bool IsConserved => Received + Emitted == Transmitted + Punted + TotalDropped;

    public static CounterSnapshot Sum(IEnumerable<WorkerCounters> workers)
    {
        long received = 0, emitted = 0, transmitted = 0, punted = 0;
        var drops = new SortedDictionary<DropReason, long>();
        var events = new SortedDictionary<ForwardingEvent, long>();
        foreach (var worker in workers)
        {
            foreach (var forwardingEvent in Enum.GetValues<ForwardingEvent>())
            {
                long count = worker.Counted(forwardingEvent);
                if (count != 0)
                {
                    events[forwardingEvent] = events.GetValueOrDefault(forwardingEvent) + count;
                }
            }

            received += Volatile.Read(ref worker.Received);
            emitted += Volatile.Read(ref worker.Emitted);
            transmitted += Volatile.Read(ref worker.Transmitted);
            punted += Volatile.Read(ref worker.Punted);
            foreach (var reason in Enum.GetValues<DropReason>())
            {
                long count = reason == DropReason.None ? worker.DroppedUnderNone : worker.Dropped(reason);
                if (count != 0)
                {
                    drops[reason] = drops.GetValueOrDefault(reason) + count;
                }
            }
        }

        return new CounterSnapshot(received, transmitted, punted, drops) { Events = events, Emitted = emitted };
    }

    /// <summary>A table for humans: the totals, then each non-zero drop reason.</summary>
    public string ToTable()
    {
        var table = new System.Text.StringBuilder();
        table.AppendLine($"{"received",-28}{Received,14}");
        if (Emitted != 0)
        {
            table.AppendLine($"{"emitted (replicas)",-28}{Emitted,14}");
        }

        table.AppendLine($"{"transmitted",-28}{Transmitted,14}");
        table.AppendLine($"{"punted",-28}{Punted,14}");
        table.AppendLine($"{"dropped",-28}{TotalDropped,14}");
        foreach (var (reason, count) in Drops)
        {
            table.AppendLine($"  {reason,-26}{count,14}");
        }

        foreach (var (forwardingEvent, count) in Events)
        {
            table.AppendLine($"{"event " + forwardingEvent,-28}{count,14}");
        }

        table.Append(IsConserved ? "conservation holds: received + emitted = transmitted + punted + dropped" : "CONSERVATION VIOLATED: received + emitted != transmitted + punted + dropped");
        return table.ToString();
    }
}
