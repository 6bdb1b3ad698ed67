namespace Dataplane.Control.Lisp.MapServer;

/// <summary>
/// When each of many small integer handles expires, so the map-server's tick finds what is due without looking at
/// what is not: deadlines go into buckets of <see cref="BucketMilliseconds"/> (a sorted set of the non-empty ones,
/// a few hundred at registration TTLs of minutes), each bucket a doubly linked list kept in deadline order. Handles
/// are indexes into arrays, so scheduling allocates nothing once the arrays have grown; a refresh unlinks the handle
/// and appends it to its new bucket in O(1) (deadlines of one TTL arrive in order; others walk back from the tail
/// within their bucket). <see cref="TakeDue"/> takes at most a budget of due handles per call, so a mass expiry is
/// spread over ticks instead of stalling the control thread.
/// </summary>
public sealed class ExpirySchedule
{
    public const long BucketMilliseconds = 1000;

    private const int None = -1;
    private readonly Dictionary<long, (int Head, int Tail)> buckets = [];
    private readonly SortedSet<long> bucketOrder = [];
    private int[] next = [];
    private int[] previous = [];
    private long[] deadlines = [];
    private bool[] scheduled = [];

    /// <summary>Handles scheduled now.</summary>
    public int Count { get; private set; }

    public bool IsScheduled(int handle) => handle < scheduled.Length && scheduled[handle];

    public long DeadlineOf(int handle) => IsScheduled(handle) ? deadlines[handle] : throw new ArgumentException($"handle {handle} is not scheduled");

    /// <summary>Schedules <paramref name="handle"/> to expire at <paramref name="deadline"/>, moving it if it was scheduled.</summary>
    public void Schedule(int handle, long deadline)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(handle);
        EnsureCapacity(handle);
        if (scheduled[handle])
        {
            if (deadlines[handle] == deadline)
            {
                return;
            }

            Unlink(handle);
        }
        else
        {
            scheduled[handle] = true;
            Count++;
        }

        deadlines[handle] = deadline;
        Link(handle);
    }

    /// <summary>Removes <paramref name="handle"/> from the schedule; false when it was not scheduled.</summary>
    public bool Cancel(int handle)
    {
        if (!IsScheduled(handle))
        {
            return false;
        }

        Unlink(handle);
        scheduled[handle] = false;
        Count--;
        return true;
    }

    /// <summary>
    /// Removes from the schedule and adds to <paramref name="due"/> the handles whose deadline is at or before
    /// <paramref name="now"/>, earliest first, at most <paramref name="budget"/> of them; returns how many.
    /// </summary>
    public int TakeDue(long now, int budget, List<int> due)
    {
        int taken = 0;
        while (taken < budget && buckets.Count > 0)
        {
            long bucket = bucketOrder.Min;
            if (bucket * BucketMilliseconds > now)
            {
                break;
            }

            int head = buckets[bucket].Head;

            // Buckets hold their handles in deadline order: stop at the first not yet due.
            int handle = head;
            while (handle != None && taken < budget && deadlines[handle] <= now)
            {
                int following = next[handle];
                Cancel(handle);
                due.Add(handle);
                taken++;
                handle = following;
            }

            if (handle != None && deadlines[handle] > now)
            {
                break; // the rest of this bucket, and every later one, is not due yet
            }
        }

        return taken;
    }

    private static long BucketOf(long deadline) => deadline >= 0 ? deadline / BucketMilliseconds : ((deadline + 1) / BucketMilliseconds) - 1;

    private void Link(int handle)
    {
        long bucket = BucketOf(deadlines[handle]);
        if (!buckets.TryGetValue(bucket, out var list))
        {
            next[handle] = previous[handle] = None;
            buckets.Add(bucket, (handle, handle));
            bucketOrder.Add(bucket);
            return;
        }

        // Walk back from the tail to the last handle due no later than this one (usually the tail itself).
        int after = list.Tail;
        while (after != None && deadlines[after] > deadlines[handle])
        {
            after = previous[after];
        }

        if (after == None)
        {
            next[handle] = list.Head;
            previous[handle] = None;
            previous[list.Head] = handle;
            buckets[bucket] = (handle, list.Tail);
            return;
        }

        next[handle] = next[after];
        previous[handle] = after;
        if (next[after] != None)
        {
            previous[next[after]] = handle;
        }
        else
        {
            list.Tail = handle;
        }

        next[after] = handle;
        buckets[bucket] = list;
    }

    private void Unlink(int handle)
    {
        long bucket = BucketOf(deadlines[handle]);
        var list = buckets[bucket];
        int before = previous[handle], after = next[handle];
        if (before == None && after == None)
        {
            buckets.Remove(bucket);
            bucketOrder.Remove(bucket);
            return;
        }

        if (before == None)
        {
            list.Head = after;
        }
        else
        {
            next[before] = after;
        }

        if (after == None)
        {
            list.Tail = before;
        }
        else
        {
            previous[after] = before;
        }

        buckets[bucket] = list;
    }

    private void EnsureCapacity(int handle)
    {
        if (handle < scheduled.Length)
        {
            return;
        }

        int size = Math.Max(handle + 1, Math.Max(16, scheduled.Length * 2));
        Array.Resize(ref next, size);
        Array.Resize(ref previous, size);
        Array.Resize(ref deadlines, size);
        Array.Resize(ref scheduled, size);
    }
}

/// <summary>
/// An <see cref="ExpirySchedule"/> over keys of any type (a prefix, or a prefix and the registrant's xTR-ID): each key
/// scheduled gets a handle for as long as it is scheduled.
/// </summary>
public sealed class KeyedExpirySchedule<TKey> where TKey : notnull
{
    private readonly ExpirySchedule schedule = new();
    private readonly Dictionary<TKey, int> handles;
    private readonly List<TKey> keys = [];
    private readonly Stack<int> freeHandles = new();
    private readonly List<int> due = [];

    public KeyedExpirySchedule(IEqualityComparer<TKey>? comparer = null)
    {
        handles = new Dictionary<TKey, int>(comparer);
    }

    public int Count => handles.Count;

    public bool TryGetDeadline(TKey key, out long deadline)
    {
        deadline = handles.TryGetValue(key, out int handle) ? schedule.DeadlineOf(handle) : 0;
        return handles.ContainsKey(key);
    }

    /// <summary>Schedules <paramref name="key"/> to expire at <paramref name="deadline"/> (moving it when scheduled).</summary>
    public void Schedule(TKey key, long deadline)
    {
        if (!handles.TryGetValue(key, out int handle))
        {
            handle = freeHandles.Count > 0 ? freeHandles.Pop() : keys.Count;
            if (handle == keys.Count)
            {
                keys.Add(key);
            }
            else
            {
                keys[handle] = key;
            }

            handles.Add(key, handle);
        }

        schedule.Schedule(handle, deadline);
    }

    public bool Cancel(TKey key)
    {
        if (!handles.Remove(key, out int handle))
        {
            return false;
        }

        schedule.Cancel(handle);
        Release(handle);
        return true;
    }

    /// <summary>The keys due at <paramref name="now"/>, earliest first, at most <paramref name="budget"/>; they leave the schedule.</summary>
    public int TakeDue(long now, int budget, List<TKey> expired)
    {
        due.Clear();
        int taken = schedule.TakeDue(now, budget, due);
        foreach (int handle in due)
        {
            var key = keys[handle];
            handles.Remove(key);
            Release(handle);
            expired.Add(key);
        }

        return taken;
    }

    private void Release(int handle)
    {
        keys[handle] = default!;
        freeHandles.Push(handle);
    }
}
