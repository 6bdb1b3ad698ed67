using Dataplane.Forwarding.Configuration;
using Dataplane.Tables.MapCache;
using Dataplane.Tables.Time;

namespace Dataplane.Forwarding.Lisp;

/// <summary>
/// The LISP state every worker reads and the control plane writes: the map-cache behind its per-instance LPM
/// index, and the local database (our EIDs and RLOCs). Shared by the decapsulating and encapsulating stages.
/// </summary>
public sealed class LispTables
{
    private static readonly Dictionary<string, NegativeAction> Actions = new()
    {
        ["drop"] = NegativeAction.Drop,
        ["native-forward"] = NegativeAction.NativelyForward,
        ["send-map-request"] = NegativeAction.SendMapRequest,
        ["no-action"] = NegativeAction.NoAction,
    };

    public LispTables(LpmMapCacheIndex index, MapCache mapCache, LocalDatabase localDatabase)
    {
        Index = index;
        MapCache = mapCache;
        LocalDatabase = localDatabase;
    }

    public LpmMapCacheIndex Index { get; }

    public MapCache MapCache { get; }

    public LocalDatabase LocalDatabase { get; }

    /// <summary>Builds the tables from the "lisp" section; a bad field is a <see cref="ConfigurationException"/> naming it.</summary>
    public static LispTables FromConfig(LispConfig config, IMonotonicClock clock)
    {
        var rlocs = config.LocalRlocs.Select((r, i) => Locator(r, $"lisp.localRlocs[{i}]") with { IsLocal = true }).ToArray();
        var eids = config.LocalEids.Select((e, i) => ConfigValues.Prefix(e, $"lisp.localEids[{i}]")).ToArray();
        var index = new LpmMapCacheIndex();
        var mapCache = new MapCache(index, deferSlotReuse: true);
        for (int i = 0; i < config.MapCache.Count; i++)
        {
            mapCache.AddOrReplace(ReadMapCacheEntry(config.MapCache[i], $"lisp.mapCache[{i}]", clock));
        }

        return new LispTables(index, mapCache, new LocalDatabase(eids, rlocs));
    }

    /// <summary>
    /// One map-cache entry as the "lisp.mapCache" section (or the control socket's mapcache.add) holds it, checked field
    /// by field; <paramref name="field"/> prefixes the JSON path in errors.
    /// </summary>
    public static MapCacheEntry ReadMapCacheEntry(MapCacheEntryConfig entry, string field, IMonotonicClock clock)
    {
        var prefix = ConfigValues.Prefix(entry.Eid, $"{field}.eid");
        uint ttl = entry.TtlMinutes ?? MapCacheEntry.InfiniteTtl;
        if (entry.Locators.Count == 0)
        {
            var action = ConfigValues.OneOf(entry.Action ?? "drop", $"{field}.action", Actions);
            return MapCacheEntry.Negative(prefix, action, ttl, clock);
        }

        if (entry.Action is not null)
        {
            throw new ConfigurationException($"{field}.action", "an action belongs to a negative entry (one without locators)");
        }

        if (entry.Locators.Count > MapCacheEntry.MaxLocators)
        {
            throw new ConfigurationException($"{field}.locators", $"{entry.Locators.Count} locators; at most {MapCacheEntry.MaxLocators}");
        }

        var locators = entry.Locators.Select((l, j) => Locator(l, $"{field}.locators[{j}]")).ToArray();
        return MapCacheEntry.Create(prefix, locators, ttl, clock);
    }

    /// <summary>The configuration name of a negative entry's action ("drop", "native-forward" ...).</summary>
    public static string ActionName(NegativeAction action) => Actions.First(a => a.Value == action).Key;

    private static Locator Locator(LocatorConfig config, string field) =>
        new(ConfigValues.Ip(config.Address, $"{field}.address"), config.Priority, config.Weight, config.Up);

    /// <summary>
    /// Whether this xTR serves LISP instance <paramref name="instanceId"/>: one of our EID prefixes is in it, or the
    /// FIB forwards in it (a PETR's routes toward non-LISP sites, an ETR's site routes), or the map-cache has
    /// mappings in it (an RTR re-encapsulating). A decapsulated packet in any other instance has nowhere to go,
    /// so the ETR drops it as UnknownInstanceId instead of letting routing call it NoRoute.
    /// </summary>
    public bool ServesInstance(uint instanceId, Routing.Fib fib)
    {
        foreach (var prefix in LocalDatabase.EidPrefixes)
        {
            if (prefix.InstanceId == instanceId)
            {
                return true;
            }
        }

        return fib.HasInstance(instanceId) || Index.HasInstance(instanceId);
    }

    /// <summary>Frees memory retired by map-cache updates; call at a quiescent point.</summary>
    public void ReclaimRetired()
    {
        Index.ReclaimRetired();
        MapCache.ReclaimRetiredSlots();
    }
}
