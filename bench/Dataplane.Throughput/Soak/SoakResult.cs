using Dataplane.Forwarding.Counters;

namespace Dataplane.Throughput.Soak;

/// <summary>One worker's end-of-soak counters: rx must equal tx + punted + the sum of its drops, and the packets it was handed.</summary>
public sealed record SoakWorkerResult(string Name, string Scenario, long Fed, long Received, long Transmitted, long Punted, IReadOnlyDictionary<string, long> Drops)
{
    public long TotalDropped => Drops.Values.Sum();

    public bool Conserved => Received == Fed && Received == Transmitted + Punted + TotalDropped;

    public static SoakWorkerResult From(string name, string scenario, long fed, WorkerCounters counters)
    {
        var drops = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            long count = counters.Dropped(reason);
            if (count != 0)
            {
                drops[reason.ToString()] = count;
            }
        }

        return new SoakWorkerResult(name, scenario, fed, counters.Received, counters.Transmitted, counters.Punted, drops);
    }
}

/// <summary>
/// A whole soak: the samples, the workers' counters, the control updates, the once-a-second reclaim pauses (done, and
/// missed because a worker did not park within 50 ms), and the verdicts on them.
/// </summary>
public sealed record SoakResult(
    SoakOptions Options,
    double SetupSeconds,
    IReadOnlyList<SoakSample> Samples,
    IReadOnlyList<SoakWorkerResult> Workers,
    long UpdatesSent,
    long UpdatesAcknowledged,
    int ReclaimPauses,
    int ReclaimsMissed,
    SoakMemoryVerdict Memory,
    IReadOnlyList<string> Failures)
{
    public bool Passed => Failures.Count == 0;
}
