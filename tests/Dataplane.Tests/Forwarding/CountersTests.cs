using Dataplane.Forwarding.Counters;

namespace Dataplane.Tests.Forwarding;

public class CountersTests
{
    [Fact]
    public void Workers_are_summed_and_conservation_is_checked()
    {
        var first = new WorkerCounters { Received = 10, Transmitted = 6, Punted = 1 };
        first.Drop(DropReason.MalformedIpv4, 2);
        first.Drop(DropReason.TtlExpired);
        var second = new WorkerCounters { Received = 5, Transmitted = 4 };
        second.Drop(DropReason.MalformedIpv4);

        var snapshot = CounterSnapshot.Sum([first, second]);

        Assert.Equal(15, snapshot.Received);
        Assert.Equal(10, snapshot.Transmitted);
        Assert.Equal(1, snapshot.Punted);
        Assert.Equal(3, snapshot.Drops[DropReason.MalformedIpv4]);
        Assert.Equal(1, snapshot.Drops[DropReason.TtlExpired]);
        Assert.False(snapshot.Drops.ContainsKey(DropReason.NoRoute));
        Assert.True(snapshot.IsConserved);
        Assert.Contains("conservation holds", snapshot.ToTable());
    }

    [Fact]
    public void A_packet_that_vanished_breaks_conservation()
    {
        var worker = new WorkerCounters { Received = 3, Transmitted = 2 };
        var snapshot = CounterSnapshot.Sum([worker]);
        Assert.False(snapshot.IsConserved);
        Assert.Contains("CONSERVATION VIOLATED", snapshot.ToTable());
    }

    [Fact]
    public void A_drop_under_no_reason_is_visible_and_not_hidden_in_the_totals()
    {
        var worker = new WorkerCounters { Received = 1 };
        worker.Drop(DropReason.None);
        var snapshot = CounterSnapshot.Sum([worker]);
        Assert.Equal(1, snapshot.Drops[DropReason.None]);
        Assert.True(snapshot.IsConserved);
        Assert.Equal(1, worker.TotalDropped);
    }

    [Fact]
    public void Counting_allocates_nothing()
    {
        var worker = new WorkerCounters();
        worker.Drop(DropReason.OverMtu);
        CountMany(worker); // warm-up: the runtime's own allocations (tiering, OSR of the loop) happen here

        // The minimum of 3 runs, as every allocation test here: the runtime itself sometimes allocates a few bytes
        // on the thread (a loop compiled on stack replacement while a full suite runs did: 2,848 bytes).
        long least = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            CountMany(worker);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
        Assert.Equal(1 + (4 * 1_000_000), worker.TotalDropped);
    }

    private static void CountMany(WorkerCounters worker)
    {
        for (int i = 0; i < 1_000_000; i++)
        {
            worker.Received++;
            worker.Drop((DropReason)(1 + (i % 20)));
        }
    }
}
