using System.Globalization;
using System.Text.Json.Nodes;
using Dataplane.Control.Lisp;
using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Socket;

/// <summary>
/// lisp.*: the LISP control plane's state and the hypervisor's Change-Priority trigger. Calls run on the runtime's
/// control thread (<see cref="LispControlPlane.Call"/>), where the control plane lives.
/// </summary>
public static class LispControlMethods
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    /// <summary>lisp.registrations answers this many when not told otherwise.</summary>
    public const int DefaultRegistrationsPerPage = 1000;

    public const int MaxRegistrationsPerPage = 10_000;

    public static IEnumerable<ControlMethod> Create(ControlContext context)
    {
        // The VM behind EID arrived here (what a hypervisor says with H=1): take the EID, tell the previous xTR,
        // register. Journaled, so the EID is still ours after a restart; replayed at start (no control plane running
        // yet) it only restores the local EID.
        yield return new ControlMethod("lisp.eid-moved", true, p =>
        {
            p.AllowOnly("eid");
            var tables = context.RequireLisp("lisp.eid-moved");
            var eid = p.RequiredPrefix("eid");
            if (context.LispControl is { ChangePriority: null })
            {
                throw ControlRpcException.InvalidParams("lisp.changePriority", "Change-Priority is not configured (lisp.changePriority)");
            }

            return () =>
            {
                if (context.LispControl is not { ChangePriority: { } agent } lisp)
                {
                    return new JsonObject { ["eid"] = eid.ToString(), ["added"] = tables.LocalDatabase.AddEidPrefix(eid) };
                }

                var arrival = lisp.Call(() => agent.EidArrived(eid), CallTimeout);
                return new JsonObject
                {
                    ["eid"] = eid.ToString(),
                    ["previousRlocs"] = new JsonArray(arrival.PreviousRlocs.Select(r => (JsonNode)r.ToString()).ToArray()),
                    ["previousFrom"] = arrival.PreviousFrom,
                    ["registered"] = arrival.Registered,
                    ["then"] = arrival.Registered ? null : (JsonNode)string.Create(CultureInfo.InvariantCulture,
                        $"the map-resolvers were asked where {eid} was; the previous xTR is told and the EID registered on their answer, or registered after {agent.PreviousLocatorWaitMilliseconds} ms without one"),
                };
            };
        })
        {
            Summary = "Change-Priority H=1: the EID is ours now; the previous xTR (from the map-cache, else asked of the map-resolvers first) is told and we register.",
            Parameters =
            [
                ControlParameter.Mandatory("eid", ControlParameterType.EidPrefix, "the EID prefix that moved here", "[7]10.9.0.0/24"),
            ],
        };
        // A traffic-engineering controller's knob (the thesis's PACAO): journaled, so the values survive a restart;
        // replayed at start (no control plane running yet) it only sets the local database.
        yield return new ControlMethod("lisp.rloc-priority", true, p =>
        {
            p.AllowOnly("rloc", "priority", "weight");
            var tables = context.RequireLisp("lisp.rloc-priority");
            var rloc = p.RequiredAddress("rloc");
            var current = tables.LocalDatabase.Rlocs.ToArray().Where(r => r.Address == rloc).ToArray();
            if (current.Length == 0)
            {
                throw ControlRpcException.InvalidParams(p.Field("rloc"), $"{rloc} is not one of this xTR's RLOCs ({string.Join(", ", tables.LocalDatabase.Rlocs.ToArray().Select(r => r.Address))})");
            }

            byte priority = (byte)p.RequiredInteger("priority", 0, 255);
            byte weight = (byte)(p.OptionalInteger("weight", 0, 255) ?? current[0].Weight);
            return () =>
            {
                var result = new JsonObject { ["rloc"] = rloc.ToString(), ["priority"] = priority, ["weight"] = weight };
                if (context.LispControl is not { LocalRlocs: { } announcer } lisp)
                {
                    result["changed"] = LocalRlocAnnouncer.Apply(tables.LocalDatabase, rloc, priority, weight);
                    return result;
                }

                var change = lisp.Call(() => announcer.Change(rloc, priority, weight), CallTimeout);
                result["changed"] = change.Changed;
                result["toldByChangePriority"] = change.ToldByChangePriority;
                result["toldBySmr"] = change.ToldBySmr;
                return result;
            };
        })
        {
            Summary = "Set a local RLOC's priority and weight: the xTR registers at once and tells the ITRs that asked for its EIDs recently (Change-Priority C=1 when changePriority is configured, else SMR).",
            Parameters =
            [
                ControlParameter.Mandatory("rloc", ControlParameterType.Address, "one of this xTR's RLOCs", "192.0.2.1"),
                ControlParameter.Mandatory("priority", ControlParameterType.Integer, "0..255; lower is preferred, 255 = not for unicast", 2),
                ControlParameter.Optional("weight", ControlParameterType.Integer, "0..255 among RLOCs of equal priority; absent: unchanged", 100),
            ],
        };
        yield return new ControlMethod("lisp.counters", false, p =>
        {
            p.AllowOnly();
            var lisp = RequireControl(context, "lisp.counters");
            return () => new JsonObject(lisp.Counters.Snapshot().Select(c => KeyValuePair.Create(c.Name, (JsonNode?)c.Count)));
        })
        {
            Summary = "Every LISP control-plane counter by name: messages in and out, refusals by reason.",
        };
        yield return new ControlMethod("lisp.registrations", false, p =>
        {
            // Paged: a map-server holds up to a million registrations, more than one answer should carry.
            p.AllowOnly("offset", "limit", "prefix");
            int offset = (int)(p.OptionalInteger("offset", 0, int.MaxValue) ?? 0);
            int limit = (int)(p.OptionalInteger("limit", 1, MaxRegistrationsPerPage) ?? DefaultRegistrationsPerPage);
            EidPrefix? within = p.Has("prefix") ? p.RequiredPrefix("prefix") : null;
            var lisp = RequireControl(context, "lisp.registrations");
            if (lisp.MappingSystem is not { } ms)
            {
                throw new ControlRpcException(JsonRpcErrorCodes.MethodNotFound, "lisp.registrations: this node is not a map-server (role msmr)");
            }

            return () => lisp.Call(() => new JsonArray(ms.Table.Page(within, offset, limit, out _).Select(r => (JsonNode)new JsonObject
            {
                ["eid"] = r.Prefix.ToString(),
                ["registrant"] = r.Registrant.ToString(),
                ["site"] = r.Site,
                ["proxyReply"] = r.ProxyReply,
                ["locators"] = new JsonArray(r.Record.Locators.Select(l => (JsonNode)$"{l.Address} p{l.Priority} w{l.Weight}").ToArray()),
                ["parts"] = new JsonArray(r.Parts.Select(part => (JsonNode)new JsonObject
                {
                    ["registrant"] = part.Registrant.ToString(),
                    ["xtrId"] = part.Key.HasXtrId ? part.Key.XtrId.ToString("x32", CultureInfo.InvariantCulture) : null,
                    ["siteId"] = part.SiteId,
                    ["locators"] = new JsonArray(part.Record.Locators.Select(l => (JsonNode)$"{l.Address} p{l.Priority} w{l.Weight}").ToArray()),
                }).ToArray()),
            }).ToArray()), CallTimeout);
        })
        {
            Summary = "Map-server (role msmr): the registered EID prefixes with registrant, site and locators, a page at a time.",
            Parameters =
            [
                ControlParameter.Optional("offset", ControlParameterType.Integer, "registrations to skip, in the order of instance, family, address, length (default 0)", 0),
                ControlParameter.Optional("limit", ControlParameterType.Integer, $"registrations at most (default {DefaultRegistrationsPerPage}, at most {MaxRegistrationsPerPage})", 100),
                ControlParameter.Optional("prefix", ControlParameterType.EidPrefix, "only the registrations inside this prefix", "[0]10.0.0.0/8"),
            ],
        };
        yield return new ControlMethod("lisp.registration-count", false, p =>
        {
            p.AllowOnly("prefix");
            EidPrefix? within = p.Has("prefix") ? p.RequiredPrefix("prefix") : null;
            var lisp = RequireControl(context, "lisp.registration-count");
            if (lisp.MappingSystem is not { } ms)
            {
                throw new ControlRpcException(JsonRpcErrorCodes.MethodNotFound, "lisp.registration-count: this node is not a map-server (role msmr)");
            }

            return () => lisp.Call(() => new JsonObject { ["count"] = within is { } w ? ms.Table.Count(r => w.Covers(r.Prefix)) : ms.Table.Count }, CallTimeout);
        })
        {
            Summary = "Map-server (role msmr): how many EID prefixes are registered (inside prefix, when given), to page lisp.registrations.",
            Parameters =
            [
                ControlParameter.Optional("prefix", ControlParameterType.EidPrefix, "count only the registrations inside this prefix", "[0]10.0.0.0/8"),
            ],
        };
        yield return new ControlMethod("lisp.registration-status", false, p =>
        {
            p.AllowOnly();
            var lisp = RequireControl(context, "lisp.registration-status");
            if (lisp.Registrar is not { } registrar)
            {
                throw new ControlRpcException(JsonRpcErrorCodes.MethodNotFound, "lisp.registration-status: this node does not register (no role etr, petr or rtr)");
            }

            return () => lisp.Call(() => RegistrationStatus(registrar, lisp.Counters), CallTimeout);
        })
        {
            Summary = "ETR: our xTR-ID and site-ID, each map-server's confirmation, and the merged locator sets the map-servers told us.",
        };
        yield return new ControlMethod("lisp.nated-xtrs", false, p =>
        {
            p.AllowOnly();
            var lisp = RequireControl(context, "lisp.nated-xtrs");
            if (lisp.NatRtr is not { } rtr)
            {
                throw new ControlRpcException(JsonRpcErrorCodes.MethodNotFound, "lisp.nated-xtrs: this node is not an RTR with lisp.natTraversal");
            }

            return () => lisp.Call(() => new JsonArray(rtr.NatedXtrs.Values.OrderBy(x => x.Eid.ToString(), StringComparer.Ordinal).Select(x => (JsonNode)new JsonObject
            {
                ["eid"] = x.Eid.ToString(),
                ["translatedAddress"] = x.Translated.ToString(),
                ["translatedPort"] = x.TranslatedPort,
                ["privateRloc"] = x.PrivateRloc.ToString(),
            }).ToArray()), CallTimeout);
        })
        {
            Summary = "RTR with NAT traversal: the xTRs behind NATs it relays for, with the address and port their NAT gave them.",
        };
        yield return new ControlMethod("lisp.rlocs", false, p =>
        {
            p.AllowOnly();
            var lisp = RequireControl(context, "lisp.rlocs");
            if (lisp.Prober is not { } prober)
            {
                throw new ControlRpcException(JsonRpcErrorCodes.MethodNotFound, "lisp.rlocs: RLOC probing is not configured (lisp.rlocProbing)");
            }

            return () => lisp.Call(() => new JsonArray(prober.Health.OrderBy(h => h.Key.ToString(), StringComparer.Ordinal).Select(h => (JsonNode)new JsonObject
            {
                ["rloc"] = h.Key.ToString(),
                ["up"] = h.Value.Up,
                ["degraded"] = h.Value.Degraded,
                ["sent"] = h.Value.Sent,
                ["answered"] = h.Value.Answered,
                ["lost"] = h.Value.Lost,
                ["rttMs"] = h.Value.LastRttMilliseconds,
                ["smoothedRttMs"] = Math.Round(h.Value.SmoothedRttMilliseconds, 3),
                ["jitterMs"] = Math.Round(h.Value.JitterMilliseconds, 3),
            }).ToArray()), CallTimeout);
        })
        {
            Summary = "With lisp.rlocProbing: each RLOC's reachability, probes sent, answered and lost, and round-trip times.",
        };
        yield return new ControlMethod("lisp.resolvers", false, p =>
        {
            p.AllowOnly();
            var lisp = RequireControl(context, "lisp.resolvers");
            if (lisp.Resolver is not { } resolver)
            {
                throw new ControlRpcException(JsonRpcErrorCodes.MethodNotFound, "lisp.resolvers: this node does not resolve (roles itr, pitr, rtr)");
            }

            return () => lisp.Call(() =>
            {
                long now = lisp.Now;
                return new JsonArray(resolver.Resolvers.Select(h => (JsonNode)new JsonObject
                {
                    ["address"] = h.Address.ToString(),
                    ["up"] = h.Up,
                    ["sent"] = h.Sent,
                    ["answered"] = h.Answered,
                    ["unansweredInARow"] = h.UnansweredInARow,
                    ["lastAnswerMsAgo"] = MillisecondsAgo(h.LastAnswerAt, now),
                    ["retryInMs"] = h.Up ? null : Math.Max(0, h.RetryAt - now),
                }).ToArray());
            }, CallTimeout);
        })
        {
            Summary = "ITR: each map-resolver's health: up, Map-Requests sent and answered, unanswered in a row, last answer.",
        };
        yield return new ControlMethod("lisp.mapservers", false, p =>
        {
            p.AllowOnly();
            var lisp = RequireControl(context, "lisp.mapservers");
            if (lisp.Registrar is not { } registrar)
            {
                throw new ControlRpcException(JsonRpcErrorCodes.MethodNotFound, "lisp.mapservers: this node does not register (roles etr, petr, rtr)");
            }

            return () => lisp.Call(() =>
            {
                long now = lisp.Now;
                return new JsonArray(registrar.Servers.Select(s => (JsonNode)new JsonObject
                {
                    ["address"] = s.Address.ToString(),
                    ["confirmed"] = s.Confirmed,
                    ["lastMapNotifyMsAgo"] = MillisecondsAgo(s.LastNotifyAt, now),
                    ["attempts"] = s.Attempts,
                    ["nextRegisterInMs"] = Math.Max(0, (s.RetryAt is { } retry && retry < registrar.NextRegisterAt ? retry : registrar.NextRegisterAt) - now),
                }).ToArray());
            }, CallTimeout);
        })
        {
            Summary = "ETR: the registration with each map-server: confirmed this round, last Map-Notify, registers sent, next register.",
        };
    }

    /// <summary>A time on the control plane's millisecond clock as how long ago it was, in milliseconds (null: never).</summary>
    private static JsonNode? MillisecondsAgo(long? at, long now) => at is { } t ? (JsonNode)(now - t) : null;
    private static JsonObject RegistrationStatus(MapRegistrar registrar, LispControlCounters counters)
    {
        return new JsonObject
        {
            ["xtrId"] = registrar.Identity.XtrId.ToString("x32", CultureInfo.InvariantCulture),
            ["siteId"] = registrar.Identity.SiteId,
            ["mergedSets"] = new JsonArray(registrar.MergedSets.Snapshot(registrar.Now).OrderBy(m => m.Prefix.ToString(), StringComparer.Ordinal).Select(m => (JsonNode)new JsonObject
            {
                ["eid"] = m.Prefix.ToString(),
                ["from"] = m.Set.Server.ToString(),
                ["ageMs"] = registrar.Now - m.Set.At,
                ["locators"] = new JsonArray(m.Set.Locators.Select(l => (JsonNode)$"{l.Address} p{l.Priority} w{l.Weight}").ToArray()),
            }).ToArray()),
            ["unsolicitedAccepted"] = counters[LispControlEvent.UnsolicitedMapNotifyAccepted],
        };
    }

    private static LispControlPlane RequireControl(ControlContext context, string method) =>
        context.LispControl ?? throw new ControlRpcException(JsonRpcErrorCodes.MethodNotFound,
            $"{method}: no LISP control plane runs here (no LISP role, or no lisp section)");
}
