using Dataplane.Tables.Time;

namespace Dataplane.Forwarding.GtpU;

/// <summary>
/// How many Error Indications and Supported Extension Headers Notifications one worker may send: a token bucket
/// refilled at <c>perSecond</c>, holding at most one second's worth. A flood of G-PDUs with unknown TEIDs (a peer
/// that lost its state, or an attacker) must not turn into as many packets out: past the budget the G-PDU is only
/// dropped. One bucket per worker, read and written by that worker alone, so it needs no lock.
/// </summary>
internal sealed class GtpUSignallingBudget(IMonotonicClock clock, int perSecond)
{
    private readonly long frequency = clock.Frequency;

    // Credit in ticks times messages per second: a message costs `frequency`, a tick of elapsed time earns `perSecond`.
    private readonly long capacity = (long)perSecond * clock.Frequency;
    private long credit = (long)perSecond * clock.Frequency;
    private long last = clock.Now;

    /// <summary>Takes one message's worth; false when the budget is spent (or is zero: never send).</summary>
    public bool TryTake()
    {
        if (perSecond <= 0)
        {
            return false;
        }

        long now = clock.Now;
        long elapsed = Math.Clamp(now - last, 0, frequency); // a second refills the bucket; more would overflow nothing
        last = now;
        credit = Math.Min(capacity, credit + elapsed * perSecond);
        if (credit < frequency)
        {
            return false;
        }

        credit -= frequency;
        return true;
    }
}
