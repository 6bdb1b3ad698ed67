using Dataplane.Control.FlowExport;
using Dataplane.Wire.Ipfix;

namespace Dataplane.Tests.FlowExport;

/// <summary>
/// The expiry rules (RFC 5102 flowEndReason, RFC 7011 deltas) on hand-made totals and times: an idle entry is
/// reported once, a busy one every active timeout, one that leaves its table at the end, the rest at shutdown.
/// </summary>
public sealed class DeltaTrackerTests
{
    private readonly List<(string Key, int Direction, RecordCounts Counts)> sent = [];
    private readonly DeltaTracker<string> tracker = new(maxEntries: 2, activeMilliseconds: 60_000, idleMilliseconds: 15_000);

    [Fact]
    public void A_flow_idle_for_the_idle_timeout_is_reported_once_with_its_whole_traffic()
    {
        Round(1_000, ("a", new DirectionTotals(3, 300, 1, 50), 500, 900));
        Assert.Empty(sent);
        Round(15_900, ("a", new DirectionTotals(3, 300, 1, 50), 500, 900));
        Assert.Equal([("a", 0, new RecordCounts(3, 300, 500, 900, IpfixFlowEndReason.IdleTimeout)), ("a", 1, new RecordCounts(1, 50, 500, 900, IpfixFlowEndReason.IdleTimeout))], sent);
        sent.Clear();
        Round(40_000, ("a", new DirectionTotals(3, 300, 1, 50), 500, 900));
        Assert.Empty(sent);
    }

    [Fact]
    public void A_busy_flow_is_reported_every_active_timeout_with_the_delta_since_the_last_record()
    {
        Round(1_000, ("a", new DirectionTotals(10, 1000, 0, 0), 0, 1_000));
        Round(60_999, ("a", new DirectionTotals(20, 2000, 0, 0), 0, 60_999));
        Assert.Empty(sent); // 59.999 s since the entry was first seen
        Round(61_000, ("a", new DirectionTotals(25, 2500, 0, 0), 0, 61_000));
        Assert.Equal([("a", 0, new RecordCounts(25, 2500, 0, 61_000, IpfixFlowEndReason.ActiveTimeout))], sent);
        sent.Clear();
        Round(121_000, ("a", new DirectionTotals(26, 2600, 4, 40), 0, 120_500));
        Assert.Equal([("a", 0, new RecordCounts(1, 100, 61_000, 120_500, IpfixFlowEndReason.ActiveTimeout)), ("a", 1, new RecordCounts(4, 40, 61_000, 120_500, IpfixFlowEndReason.ActiveTimeout))], sent);
    }

    [Fact]
    public void A_flow_that_leaves_its_table_is_reported_at_the_end_and_forgotten()
    {
        Round(1_000, ("a", new DirectionTotals(1, 100, 0, 0), 0, 1_000), ("b", new DirectionTotals(1, 10, 0, 0), 0, 1_000));
        Round(2_000, ("b", new DirectionTotals(1, 10, 0, 0), 0, 1_000));
        Assert.Equal([("a", 0, new RecordCounts(2, 200, 0, 1_500, IpfixFlowEndReason.EndOfFlow))], sent);
        Assert.Equal(1, tracker.Count);
    }

    [Fact]
    public void Shutdown_reports_every_unreported_delta_as_forced_end()
    {
        Round(1_000, ("a", new DirectionTotals(1, 100, 0, 0), 0, 1_000));
        tracker.Flush(1_200, key => (new DirectionTotals(2, 200, 0, 0), 1_100), Record);
        Assert.Equal([("a", 0, new RecordCounts(2, 200, 0, 1_100, IpfixFlowEndReason.ForcedEnd))], sent);
        Assert.Equal(0, tracker.Count);
    }

    [Fact]
    public void Past_the_limit_new_entries_are_counted_not_tracked()
    {
        Round(1_000, ("a", new DirectionTotals(1, 1, 0, 0), 0, 1_000), ("b", new DirectionTotals(1, 1, 0, 0), 0, 1_000), ("c", new DirectionTotals(1, 1, 0, 0), 0, 1_000));
        Assert.Equal(2, tracker.Count);
        Assert.Equal(1, tracker.Untracked);
    }

    private void Round(long now, params (string Key, DirectionTotals Totals, long FirstSeen, long LastSeen)[] entries)
    {
        tracker.BeginRound();
        foreach (var (key, totals, first, last) in entries)
        {
            tracker.Observe(key, totals, first, last, now, Record);
        }

        tracker.EndRound(now, key => (new DirectionTotals(2, 200, 0, 0), 1_500), Record);
    }

    private void Record(string key, int direction, in RecordCounts counts) => sent.Add((key, direction, counts));
}
