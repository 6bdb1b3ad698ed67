using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Control.Lisp;

/// <summary>
/// The merged locator sets the map-servers told this ETR for its own EID prefixes (RFC 9301 8.2 merge semantics): a
/// multihomed site's ETRs each register their own RLOCs, and the map-server's Map-Notify carries the union. The ETR
/// answers Map-Requests with that union, so an ITR learns every ETR of the site whichever one it asks. Only our own
/// prefixes are kept (bounded by the local database), and a set not refreshed for three register intervals is
/// dropped: the solicited Map-Notify of every periodic registration refreshes it, so a stale one means the map-server
/// stopped answering and its view can no longer be trusted.
/// </summary>
public sealed class LearnedMergedSets(long maxAgeMilliseconds)
{
    private readonly Dictionary<EidPrefix, LearnedSet> sets = [];

    public int Count => sets.Count;

    /// <summary>Keeps <paramref name="locators"/> as the merged set of <paramref name="prefix"/>, told by <paramref name="server"/>.</summary>
    public void Learn(EidPrefix prefix, IReadOnlyList<LocatorRecord> locators, IpAddress server, long now) =>
        sets[prefix] = new LearnedSet(locators, server, now);

    public void Forget(EidPrefix prefix) => sets.Remove(prefix);

    /// <summary>The learned locators of <paramref name="prefix"/> that are not <paramref name="isOurs"/>: the other ETRs' part.</summary>
    public IReadOnlyList<LocatorRecord> OthersOf(EidPrefix prefix, Func<IpAddress, bool> isOurs, long now)
    {
        if (!TryGetFresh(prefix, now, out var set))
        {
            return [];
        }

        var others = new List<LocatorRecord>(set.Locators.Count);
        foreach (var locator in set.Locators)
        {
            if (LispAddressing.TryToIp(locator.Address, out var address) && !isOurs(address))
            {
                others.Add(locator with { Local = false, Probed = false });
            }
        }

        return others;
    }

    /// <summary>Every fresh set, for the control socket.</summary>
    public IReadOnlyList<(EidPrefix Prefix, LearnedSet Set)> Snapshot(long now)
    {
        var fresh = new List<(EidPrefix, LearnedSet)>(sets.Count);
        foreach (var prefix in sets.Keys.ToArray())
        {
            if (TryGetFresh(prefix, now, out var set))
            {
                fresh.Add((prefix, set));
            }
        }

        return fresh;
    }

    private bool TryGetFresh(EidPrefix prefix, long now, out LearnedSet set)
    {
        if (!sets.TryGetValue(prefix, out set!))
        {
            return false;
        }

        if (now - set.At >= maxAgeMilliseconds)
        {
            sets.Remove(prefix);
            return false;
        }

        return true;
    }

    /// <summary>A merged set as a map-server told it: the locators, which server, and when (control clock, ms).</summary>
    public sealed record LearnedSet(IReadOnlyList<LocatorRecord> Locators, IpAddress Server, long At);
}
