using System.Collections;
using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Lisp.MapServer;

/// <summary>
/// The map-server's registrations: found by exact prefix (a Map-Register) or longest match (a Map-Request) through a
/// <see cref="PrefixIndex{T}"/>, and expired through an <see cref="ExpirySchedule"/>, so neither a lookup nor a tick
/// looks at the registrations it does not need. Each registration has a small integer handle: the index maps a
/// prefix to it, the schedule orders handles by deadline, and an array holds the registration.
/// </summary>
public sealed class RegistrationTable : IReadOnlyCollection<MappingSystem.Registration>
{
    private readonly PrefixIndex<int> index = new();
    private readonly ExpirySchedule expiry = new();
    private readonly Stack<int> freeHandles = new();
    private readonly List<int> due = [];
    private MappingSystem.Registration?[] byHandle = new MappingSystem.Registration?[16];
    private int handlesUsed;

    public int Count => index.Count;

    public bool TryGet(EidPrefix prefix, out MappingSystem.Registration registration)
    {
        registration = index.TryGetExact(prefix, out int handle) ? byHandle[handle]! : null!;
        return registration is not null;
    }

    /// <summary>The most specific registration covering <paramref name="eid"/>.</summary>
    public bool TryFindLongest(EidPrefix eid, out MappingSystem.Registration registration)
    {
        registration = index.TryGetLongest(eid, out _, out int handle) ? byHandle[handle]! : null!;
        return registration is not null;
    }

    /// <summary>Stores <paramref name="registration"/> (replacing the one of its prefix) until its ExpiresAt; true when the prefix is new.</summary>
    public bool Store(MappingSystem.Registration registration)
    {
        if (!index.TryGetExact(registration.Prefix, out int handle))
        {
            handle = freeHandles.Count > 0 ? freeHandles.Pop() : handlesUsed++;
            if (handle == byHandle.Length)
            {
                Array.Resize(ref byHandle, byHandle.Length * 2);
            }

            index.Set(registration.Prefix, handle);
            byHandle[handle] = registration;
            expiry.Schedule(handle, registration.ExpiresAt);
            return true;
        }

        byHandle[handle] = registration;
        expiry.Schedule(handle, registration.ExpiresAt);
        return false;
    }

    public bool Remove(EidPrefix prefix, out MappingSystem.Registration removed)
    {
        removed = null!;
        if (!index.TryGetExact(prefix, out int handle))
        {
            return false;
        }

        removed = byHandle[handle]!;
        index.Remove(prefix);
        expiry.Cancel(handle);
        Release(handle);
        return true;
    }

    /// <summary>Removes the registrations due at <paramref name="now"/>, earliest first, at most <paramref name="budget"/>, into <paramref name="expired"/>.</summary>
    public int RemoveExpired(long now, int budget, List<MappingSystem.Registration> expired)
    {
        due.Clear();
        expiry.TakeDue(now, budget, due);
        foreach (int handle in due)
        {
            var registration = byHandle[handle]!;
            index.Remove(registration.Prefix);
            Release(handle);
            expired.Add(registration);
        }

        return due.Count;
    }

    /// <summary>
    /// The registrations inside <paramref name="within"/> (all when null) in a stable order (instance, family,
    /// address, length), from <paramref name="offset"/>, at most <paramref name="limit"/>; <paramref name="total"/>
    /// is how many there are inside <paramref name="within"/>. Sorts what it selects: for the control socket, not
    /// for a hot path.
    /// </summary>
    public IReadOnlyList<MappingSystem.Registration> Page(EidPrefix? within, int offset, int limit, out int total)
    {
        var selected = new List<MappingSystem.Registration>(within is null ? Count : 0);
        foreach (var registration in this)
        {
            if (within is not { } w || w.Covers(registration.Prefix))
            {
                selected.Add(registration);
            }
        }

        total = selected.Count;
        selected.Sort(static (a, b) => ComparePrefixes(a.Prefix, b.Prefix));
        return offset >= selected.Count ? [] : selected.GetRange(offset, Math.Min(limit, selected.Count - offset));
    }

    public static int ComparePrefixes(EidPrefix a, EidPrefix b)
    {
        int c = a.InstanceId.CompareTo(b.InstanceId);
        if (c == 0)
        {
            c = a.Family.CompareTo(b.Family);
        }

        if (c == 0)
        {
            c = a.Address.Value.CompareTo(b.Address.Value);
        }

        return c != 0 ? c : a.PrefixLength.CompareTo(b.PrefixLength);
    }

    public IEnumerator<MappingSystem.Registration> GetEnumerator()
    {
        foreach (int handle in index.Values)
        {
            yield return byHandle[handle]!;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private void Release(int handle)
    {
        byHandle[handle] = null;
        freeHandles.Push(handle);
    }
}
