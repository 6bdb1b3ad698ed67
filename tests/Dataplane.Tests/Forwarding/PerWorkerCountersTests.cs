using Dataplane.Forwarding.Counters;

namespace Dataplane.Tests.Forwarding;

/// <summary>
/// Counters several workers add to: each adds on its own line with a plain add and the read sums them, so concurrent
/// workers lose no update, and neither do workers made after the object (they share an interlocked overflow line).
/// </summary>
public sealed class PerWorkerCountersTests
{
    private const int AddsPerThread = 2_000_000;

    [Fact]
    public void Workers_adding_at_once_on_their_own_lines_lose_nothing()
    {
        var counters = new PerWorkerCounters(workers: 2, fields: 2);

        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, worker =>
        {
            for (int i = 0; i < AddsPerThread; i++)
            {
                counters.Add(worker, 0, 1);
                counters.Add(worker, 1, 3);
            }
        });

        Assert.Equal(2L * AddsPerThread, counters.Sum(0));
        Assert.Equal(6L * AddsPerThread, counters.Sum(1));
    }

    [Fact]
    public void Workers_made_after_the_object_share_the_overflow_line_and_lose_nothing()
    {
        var counters = new PerWorkerCounters(workers: 1, fields: 1);

        // Worker 0 owns its line; workers 1 to 3 came later and all add on the overflow line at once.
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            for (int i = 0; i < AddsPerThread / 4; i++)
            {
                counters.Add(worker, 0, 1);
            }
        });

        Assert.Equal(AddsPerThread, counters.Sum(0));
    }

    [Fact]
    public void More_than_a_line_of_fields_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PerWorkerCounters(workers: 2, fields: 9));

    [Fact]
    public void A_stamp_reads_as_the_latest_of_the_workers_lines_and_latecomers_never_lower_it()
    {
        var stamps = new PerWorkerCounters(workers: 2, fields: 1);
        Assert.Equal(0, stamps.Max(0));

        stamps.Raise(0, 0, 100);
        stamps.Raise(1, 0, 40);
        Assert.Equal(100, stamps.Max(0));

        // Workers 2 and 3 came later and share the overflow line: the later stamp stays whatever the order.
        stamps.Raise(3, 0, 300);
        stamps.Raise(2, 0, 200);
        Assert.Equal(300, stamps.Max(0));

        stamps.Raise(1, 0, 400);
        Assert.Equal(400, stamps.Max(0));
    }
}
