using System.Text.Json.Nodes;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Lisp;
using Dataplane.Tables.MapCache;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Socket;

/// <summary>mapcache.* and localeid.*: the map-cache and the local EID prefixes the LISP stages read.</summary>
public static class LispMethods
{
    public static IEnumerable<ControlMethod> Create(ControlContext context)
    {
        yield return new ControlMethod("mapcache.add", true, p => AddMapCacheEntry(context, p))
        {
            Summary = "Add or replace a map-cache entry: the locators of an EID prefix, or a negative entry with an action.",
            Parameters =
            [
                ControlParameter.Mandatory("eid", ControlParameterType.EidPrefix, "the EID prefix, [instance-id]prefix/length", "[7]10.9.0.0/16"),
                ControlParameter.Optional("locators", ControlParameterType.ObjectArray, "[{address, priority? (1), weight? (100), up? (true)}]; none for a negative entry", new JsonArray(new JsonObject { ["address"] = "198.51.100.1", ["priority"] = 1, ["weight"] = 100 })),
                ControlParameter.Optional("ttlMinutes", ControlParameterType.Integer, "minutes until the entry expires; absent or null: never", 10),
                ControlParameter.Optional("action", ControlParameterType.String, "negative entry action: drop, native-forward, send-map-request or no-action", null),
            ],
        };
        yield return new ControlMethod("mapcache.remove", true, p =>
        {
            p.AllowOnly("eid");
            var cache = context.RequireLisp("mapcache.remove").MapCache;
            var eid = p.RequiredPrefix("eid");
            if (!cache.TryGet(eid, out _))
            {
                throw ControlRpcException.InvalidParams(p.Field("eid"), $"no map-cache entry for {eid}");
            }

            return () => new JsonObject { ["eid"] = eid.ToString(), ["removed"] = cache.Remove(eid) };
        })
        {
            Summary = "Remove the map-cache entry of an EID prefix.",
            Parameters =
            [
                ControlParameter.Mandatory("eid", ControlParameterType.EidPrefix, "the EID prefix of the entry", "[7]10.2.0.0/16"),
            ],
        };
        yield return new ControlMethod("mapcache.list", false, p =>
        {
            p.AllowOnly();
            var tables = context.RequireLisp("mapcache.list");
            return () => new JsonArray(MapCacheEntries(tables).Select(e => (JsonNode)Describe(e, context.Clock, withRemaining: true)).ToArray());
        })
        {
            Summary = "The map-cache entries, sorted by instance, family, address and length, with their remaining TTL.",
        };
        yield return new ControlMethod("localeid.add", true, p =>
        {
            p.AllowOnly("eid");
            var database = context.RequireLisp("localeid.add").LocalDatabase;
            var eid = p.RequiredPrefix("eid");
            return () => new JsonObject { ["eid"] = eid.ToString(), ["added"] = database.AddEidPrefix(eid) };
        })
        {
            Summary = "Add one of this xTR's local EID prefixes (what the ITR encapsulates from and the ETR decapsulates toward).",
            Parameters =
            [
                ControlParameter.Mandatory("eid", ControlParameterType.EidPrefix, "the local EID prefix", "[7]10.9.0.0/16"),
            ],
        };
        yield return new ControlMethod("localeid.remove", true, p =>
        {
            p.AllowOnly("eid");
            var database = context.RequireLisp("localeid.remove").LocalDatabase;
            var eid = p.RequiredPrefix("eid");
            if (database.EidPrefixes.IndexOf(eid) < 0)
            {
                throw ControlRpcException.InvalidParams(p.Field("eid"), $"{eid} is not a local EID prefix");
            }

            return () => new JsonObject { ["eid"] = eid.ToString(), ["removed"] = database.RemoveEidPrefix(eid) };
        })
        {
            Summary = "Remove one of this xTR's local EID prefixes.",
            Parameters =
            [
                ControlParameter.Mandatory("eid", ControlParameterType.EidPrefix, "the local EID prefix", "[7]10.1.0.0/16"),
            ],
        };
        yield return new ControlMethod("localeid.list", false, p =>
        {
            p.AllowOnly();
            var database = context.RequireLisp("localeid.list").LocalDatabase;
            return () => new JsonArray(LocalEids(database).Select(e => (JsonNode)JsonValue.Create(e)).ToArray());
        })
        {
            Summary = "This xTR's local EID prefixes, sorted.",
        };
    }

    /// <summary>The map-cache entries in prefix order (instance, family, address, length), for listings and the dump.</summary>
    public static List<MapCacheEntry> MapCacheEntries(LispTables tables)
    {
        var view = tables.MapCache.View;
        var entries = new List<MapCacheEntry>();
        for (uint slot = 0; slot < (uint)view.Length; slot++)
        {
            if (view[slot] is { } entry)
            {
                entries.Add(entry);
            }
        }

        entries.Sort((a, b) => ComparePrefixes(a.Prefix, b.Prefix));
        return entries;
    }

    public static List<string> LocalEids(LocalDatabase database)
    {
        var prefixes = database.EidPrefixes.ToArray();
        Array.Sort(prefixes, ComparePrefixes);
        return prefixes.Select(p => p.ToString()).ToList();
    }

    /// <summary>This xTR's RLOCs in the shape lisp.rloc-priority takes, sorted by address (the dump: a restart keeps run-time changes).</summary>
    public static JsonArray LocalRlocs(LocalDatabase database) =>
        new(database.Rlocs.ToArray().OrderBy(r => r.Address.ToString(), StringComparer.Ordinal).Select(r => (JsonNode)new JsonObject
        {
            ["rloc"] = r.Address.ToString(),
            ["priority"] = r.Priority,
            ["weight"] = r.Weight,
        }).ToArray());

    public static int ComparePrefixes(EidPrefix a, EidPrefix b)
    {
        int order = a.InstanceId.CompareTo(b.InstanceId);
        order = order != 0 ? order : a.Family.CompareTo(b.Family);
        order = order != 0 ? order : a.Address.Value.CompareTo(b.Address.Value);
        return order != 0 ? order : a.PrefixLength.CompareTo(b.PrefixLength);
    }

    /// <summary>An entry in the shape mapcache.add takes (so a dump can be replayed), plus, for listings, the remaining TTL.</summary>
    public static JsonObject Describe(MapCacheEntry entry, IMonotonicClock clock, bool withRemaining)
    {
        var locators = new JsonArray();
        foreach (var locator in entry.Locators)
        {
            locators.Add(new JsonObject
            {
                ["address"] = locator.Address.ToString(),
                ["priority"] = locator.Priority,
                ["weight"] = locator.Weight,
                ["up"] = locator.IsUp,
            });
        }

        var described = new JsonObject
        {
            ["eid"] = entry.Prefix.ToString(),
            ["locators"] = locators,
            ["ttlMinutes"] = entry.TtlMinutes == MapCacheEntry.InfiniteTtl ? null : entry.TtlMinutes,
            ["action"] = entry.IsNegative ? LispTables.ActionName(entry.Action) : null,
        };
        if (withRemaining)
        {
            described["remainingSeconds"] = entry.ExpiresAt == long.MaxValue
                ? null
                : Math.Max(0, (entry.ExpiresAt - clock.Now) / clock.Frequency);
        }

        return described;
    }

    private static Func<JsonNode?> AddMapCacheEntry(ControlContext context, ParamReader p)
    {
        p.AllowOnly("eid", "locators", "ttlMinutes", "action");
        var tables = context.RequireLisp("mapcache.add");
        var eid = p.RequiredPrefix("eid");
        var locators = p.OptionalObjectArray("locators").Select(l =>
        {
            l.AllowOnly("address", "priority", "weight", "up");
            return new LocatorConfig
            {
                Address = l.RequiredString("address"),
                Priority = (byte)(l.OptionalInteger("priority", 0, 255) ?? 1),
                Weight = (byte)(l.OptionalInteger("weight", 0, 255) ?? 100),
                Up = l.OptionalBool("up") ?? true,
            };
        }).ToList();
        var config = new MapCacheEntryConfig
        {
            Eid = eid.ToString(),
            Locators = locators,
            TtlMinutes = (uint?)p.OptionalInteger("ttlMinutes", 0, MapCacheEntry.InfiniteTtl - 1),
            Action = p.OptionalString("action"),
        };
        var entry = ControlContext.Checked(() => LispTables.ReadMapCacheEntry(config, "params", context.Clock));
        return () =>
        {
            bool replaced = tables.MapCache.TryGet(entry.Prefix, out _);
            tables.MapCache.AddOrReplace(entry);
            return new JsonObject { ["eid"] = entry.Prefix.ToString(), ["replaced"] = replaced };
        };
    }
}
