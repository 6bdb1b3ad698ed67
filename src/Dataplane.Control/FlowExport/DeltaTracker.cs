using Dataplane.Wire.Ipfix;

namespace Dataplane.Control.FlowExport;

/// <summary>
/// Turns the running totals of a set of entries (flows, tunnels, VNIs, map-cache entries: anything with packet and
/// byte counters in two directions) into IPFIX records of deltas, with the RFC 5102 expiry rules: an entry with no
/// packet for the idle timeout is reported (reason idle timeout) and then stays silent until it moves again; a
/// moving entry is reported at least every active timeout (reason active timeout); an entry that leaves its table is
/// reported one last time (end of flow); at shutdown every entry with unreported traffic is (forced end). Only a
/// direction that moved gets a record. A record's start is the entry's first packet for its first record, the end of
/// the previous record afterwards; its end is the entry's last packet. At most <c>maxEntries</c> are tracked; the
/// rest are counted in <see cref="Untracked"/> and not reported. Control thread only.
/// </summary>
public sealed class DeltaTracker<TKey>(int maxEntries, long activeMilliseconds, long idleMilliseconds)
    where TKey : notnull
{
    private readonly Dictionary<TKey, State> states = new();
    private int round;

    /// <summary>A record to send: the entry, its direction (0 or 1) and what it counts.</summary>
    public delegate void Emit(TKey key, int direction, in RecordCounts counts);

    public int Count => states.Count;

    /// <summary>Observations refused because <c>maxEntries</c> were tracked already.</summary>
    public long Untracked { get; private set; }

    /// <summary>Starts a round of observations: every entry still in its table is observed once, then <see cref="EndRound"/>.</summary>
    public void BeginRound() => round++;

    /// <summary>One entry as it stands now: its totals, the times (UNIX milliseconds) of its first and last packets.</summary>
    public void Observe(TKey key, in DirectionTotals totals, long firstSeen, long lastSeen, long now, Emit emit)
    {
        if (!states.TryGetValue(key, out var state))
        {
            if (states.Count >= maxEntries)
            {
                Untracked++;
                return;
            }

            state = new State { RecordStart = firstSeen, LastReport = now };
            states.Add(key, state);
        }

        state.Round = round;
        bool moved = Moved(state, totals);
        if (now - lastSeen >= idleMilliseconds)
        {
            if (moved)
            {
                Report(key, state, totals, lastSeen, now, IpfixFlowEndReason.IdleTimeout, emit);
            }
        }
        else if (moved && now - state.LastReport >= activeMilliseconds)
        {
            Report(key, state, totals, lastSeen, now, IpfixFlowEndReason.ActiveTimeout, emit);
        }
    }

    /// <summary>Entries not observed this round have left their table: their last traffic (read by <paramref name="final"/>) is reported, and they are forgotten.</summary>
    public void EndRound(long now, Func<TKey, (DirectionTotals Totals, long LastSeen)> final, Emit emit)
    {
        List<TKey>? gone = null;
        foreach (var (key, state) in states)
        {
            if (state.Round != round)
            {
                (gone ??= []).Add(key);
            }
        }

        foreach (var key in gone ?? [])
        {
            var state = states[key];
            var (totals, lastSeen) = final(key);
            if (Moved(state, totals))
            {
                Report(key, state, totals, lastSeen, now, IpfixFlowEndReason.EndOfFlow, emit);
            }

            states.Remove(key);
        }
    }

    /// <summary>Shutdown: every entry's unreported traffic, reason forced end; then nothing is tracked.</summary>
    public void Flush(long now, Func<TKey, (DirectionTotals Totals, long LastSeen)> final, Emit emit)
    {
        foreach (var (key, state) in states)
        {
            var (totals, lastSeen) = final(key);
            if (Moved(state, totals))
            {
                Report(key, state, totals, lastSeen, now, IpfixFlowEndReason.ForcedEnd, emit);
            }
        }

        states.Clear();
    }

    private static bool Moved(State state, in DirectionTotals totals) => totals.Packets0 != state.Packets0 || totals.Packets1 != state.Packets1;

    private static void Report(TKey key, State state, in DirectionTotals totals, long lastSeen, long now, IpfixFlowEndReason reason, Emit emit)
    {
        long start = state.RecordStart;
        long end = Math.Max(start, lastSeen);
        if (totals.Packets0 != state.Packets0)
        {
            emit(key, 0, new RecordCounts(totals.Packets0 - state.Packets0, totals.Bytes0 - state.Bytes0, start, end, reason));
        }

        if (totals.Packets1 != state.Packets1)
        {
            emit(key, 1, new RecordCounts(totals.Packets1 - state.Packets1, totals.Bytes1 - state.Bytes1, start, end, reason));
        }

        state.Packets0 = totals.Packets0;
        state.Bytes0 = totals.Bytes0;
        state.Packets1 = totals.Packets1;
        state.Bytes1 = totals.Bytes1;
        state.LastReport = now;
        state.RecordStart = end;
    }

    private sealed class State
    {
        public long Packets0, Bytes0, Packets1, Bytes1;
        public long RecordStart;
        public long LastReport;
        public int Round;
    }
}
