using Dataplane.Control.Lisp.MapServer;

namespace Dataplane.Tests.Control.Lisp.MapServer;

/// <summary>The map-server's expiry schedule: what is due comes out earliest first, a refresh moves, work per call is bounded.</summary>
public sealed class ExpiryScheduleTests
{
    [Fact]
    public void DueHandlesComeOutEarliestFirstAndNothingBeforeItsDeadline()
    {
        var random = new Random(7);
        var schedule = new ExpirySchedule();
        var deadlines = new Dictionary<int, long>();
        for (int handle = 0; handle < 5000; handle++)
        {
            long deadline = 10_000 + random.Next(600_000);
            schedule.Schedule(handle, deadline);
            deadlines[handle] = deadline;
        }

        // Refresh a third of them: they move to a later deadline (or an earlier one) and must leave the old place.
        for (int handle = 0; handle < 5000; handle += 3)
        {
            long deadline = random.Next(700_000);
            schedule.Schedule(handle, deadline);
            deadlines[handle] = deadline;
        }

        // Cancel some.
        for (int handle = 1; handle < 5000; handle += 7)
        {
            Assert.True(schedule.Cancel(handle));
            deadlines.Remove(handle);
        }

        var taken = new List<int>();
        long previousDeadline = long.MinValue;
        for (long now = 0; now <= 700_000; now += 333)
        {
            var due = new List<int>();
            schedule.TakeDue(now, int.MaxValue, due);
            foreach (int handle in due)
            {
                Assert.True(deadlines[handle] <= now, $"handle {handle} due at {deadlines[handle]} came out at {now}");
                Assert.True(deadlines[handle] > now - 333, $"handle {handle} due at {deadlines[handle]} came out late, at {now}");
                Assert.True(deadlines[handle] >= previousDeadline, "not earliest first");
                previousDeadline = deadlines[handle];
            }

            taken.AddRange(due);
        }

        Assert.Equal(deadlines.Keys.Order(), taken.Order());
        Assert.Equal(0, schedule.Count);
    }

    [Fact]
    public void ARefreshedHandleIsNotTakenAtItsOldDeadline()
    {
        var schedule = new ExpirySchedule();
        schedule.Schedule(1, 1000);
        schedule.Schedule(2, 1000);
        schedule.Schedule(1, 5000); // refreshed
        var due = new List<int>();

        schedule.TakeDue(1000, 10, due);
        Assert.Equal([2], due);

        due.Clear();
        schedule.TakeDue(4999, 10, due);
        Assert.Empty(due);
        schedule.TakeDue(5000, 10, due);
        Assert.Equal([1], due);
    }

    [Fact]
    public void TakeDueTakesAtMostTheBudgetAndTheRestLater()
    {
        var schedule = new ExpirySchedule();
        for (int handle = 0; handle < 25_000; handle++)
        {
            schedule.Schedule(handle, 100 + (handle % 50)); // all in one bucket, out of order
        }

        var due = new List<int>();
        Assert.Equal(10_000, schedule.TakeDue(1000, 10_000, due));
        Assert.Equal(15_000, schedule.Count);
        Assert.Equal(10_000, schedule.TakeDue(1000, 10_000, due));
        Assert.Equal(5_000, schedule.TakeDue(1000, 10_000, due));
        Assert.Equal(0, schedule.Count);
        Assert.Equal(Enumerable.Range(0, 25_000), due.Order());
        Assert.True(due.Select(h => 100 + (h % 50)).Zip(due.Skip(1).Select(h => 100 + (h % 50))).All(p => p.First <= p.Second), "not earliest first");
    }

    [Fact]
    public void AKeyedScheduleExpiresKeysAndReusesTheirHandles()
    {
        var schedule = new KeyedExpirySchedule<(string Prefix, ulong XtrId)>();
        schedule.Schedule(("10.0.0.0/24", 1), 2000);
        schedule.Schedule(("10.0.0.0/24", 2), 3000);
        schedule.Schedule(("10.0.0.0/24", 1), 4000); // refreshed
        Assert.True(schedule.TryGetDeadline(("10.0.0.0/24", 1), out long deadline));
        Assert.Equal(4000, deadline);

        var expired = new List<(string, ulong)>();
        schedule.TakeDue(3500, 100, expired);
        Assert.Equal([("10.0.0.0/24", 2UL)], expired);
        Assert.False(schedule.TryGetDeadline(("10.0.0.0/24", 2), out _));

        schedule.Schedule(("10.0.1.0/24", 9), 3600);
        Assert.True(schedule.Cancel(("10.0.0.0/24", 1)));
        expired.Clear();
        schedule.TakeDue(10_000, 100, expired);
        Assert.Equal([("10.0.1.0/24", 9UL)], expired);
        Assert.Equal(0, schedule.Count);
    }
}
