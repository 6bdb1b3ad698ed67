using System.Globalization;
using System.Text.Json.Nodes;
using Dataplane.Control.Lisp;

namespace Dataplane.Control.Socket;

/// <summary>
/// lisp.*: the LISP control plane's state and the hypervisor's Change-Priority trigger. Calls run on the runtime's
/// control thread (<see cref="LispControlPlane.Call"/>), where the control plane lives.
/// </summary>
public static class LispControlMethods
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

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

                var told = lisp.Call(() => agent.EidArrived(eid), CallTimeout);
                return new JsonObject { ["eid"] = eid.ToString(), ["previousRlocs"] = new JsonArray(told.Select(r => (JsonNode)r.ToString()).ToArray()) };
            };
        })
        {
            Summary = "Change-Priority H=1: the EID is ours now; the previous xTR is told and we register at once.",
            Parameters =
            [
                ControlParameter.Mandatory("eid", ControlParameterType.EidPrefix, "the EID prefix that moved here", "[7]10.9.0.0/24"),
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
            p.AllowOnly();
            var lisp = RequireControl(context, "lisp.registrations");
            if (lisp.MappingSystem is not { } ms)
            {
                throw new ControlRpcException(JsonRpcErrorCodes.MethodNotFound, "lisp.registrations: this node is not a map-server (role msmr)");
            }

            return () => lisp.Call(() => new JsonArray(ms.Registrations.OrderBy(r => r.Prefix.ToString(), StringComparer.Ordinal).Select(r => (JsonNode)new JsonObject
            {
                ["eid"] = r.Prefix.ToString(),
                ["registrant"] = r.Registrant.ToString(),
                ["site"] = r.Site,
                ["proxyReply"] = r.ProxyReply,
                ["locators"] = new JsonArray(r.Record.Locators.Select(l => (JsonNode)$"{l.Address} p{l.Priority} w{l.Weight}").ToArray()),
            }).ToArray()), CallTimeout);
        })
        {
            Summary = "Map-server (role msmr): the registered EID prefixes with registrant, site and locators.",
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
    }

    private static LispControlPlane RequireControl(ControlContext context, string method) =>
        context.LispControl ?? throw new ControlRpcException(JsonRpcErrorCodes.MethodNotFound,
            $"{method}: no LISP control plane runs here (no LISP role, or no lisp section)");
}
