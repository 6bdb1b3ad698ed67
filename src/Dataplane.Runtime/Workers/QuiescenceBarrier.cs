namespace Dataplane.Runtime.Workers;

/// <summary>
/// Lets the control thread find a moment when no worker is inside a batch, to free table memory that writers
/// retired (LPM groups, trie nodes, map-cache slots). Workers pass <see cref="PassQuiescentPoint"/> between rounds,
/// where they hold no reference into any table; when a pause is requested they park there until it is released.
/// Reclaiming while all are parked is safe whatever was retired when, and the pause is a few microseconds per
/// reclaim, which happens at most a few times a second. (A grace-period scheme without the pause would need every
/// table to keep retirements by generation; this is simpler and exact.)
/// </summary>
public sealed class QuiescenceBarrier
{
    private volatile bool pauseRequested;
    private int parked;
    private int running;

    /// <summary>Workers call this when they start and <see cref="Leave"/> when they stop.</summary>
    public void Enter() => Interlocked.Increment(ref running);

    public void Leave() => Interlocked.Decrement(ref running);

    /// <summary>Called by a worker between rounds: parks while a pause is requested.</summary>
    public void PassQuiescentPoint()
    {
        if (!pauseRequested)
        {
            return;
        }

        Interlocked.Increment(ref parked);
        var spinner = new SpinWait();
        while (pauseRequested)
        {
            spinner.SpinOnce();
        }

        Interlocked.Decrement(ref parked);
    }

    /// <summary>
    /// Requests a pause and waits until every running worker is parked; false if that did not happen within
    /// <paramref name="timeout"/> (the pause is then still requested: call <see cref="Release"/> either way).
    /// </summary>
    public bool TryPauseAll(TimeSpan timeout)
    {
        pauseRequested = true;
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var spinner = new SpinWait();
        while (Volatile.Read(ref parked) < Volatile.Read(ref running))
        {
            if (Environment.TickCount64 > deadline)
            {
                return false;
            }

            spinner.SpinOnce();
        }

        return true;
    }

    public void Release() => pauseRequested = false;
}
