using System.Text.Json.Nodes;
using Dataplane.Control.Logging;
using Microsoft.Extensions.Logging;
using Dataplane.Control.State;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;

namespace Dataplane.Control.Socket;

/// <summary>counters.get, runtime.show, ports.stats, log.set-level and state.dump.</summary>
public static class StatusMethods
{
    public static IEnumerable<ControlMethod> Create(ControlContext context)
    {
        yield return new ControlMethod("counters.get", false, p =>
        {
            p.AllowOnly();
            return () => Counters(context);
        })
        {
            Summary = "The pipeline counters, summed and per worker: received, transmitted, punted, dropped, drops by reason, events.",
        };
        yield return new ControlMethod("runtime.show", false, p =>
        {
            p.AllowOnly();
            return () => Runtime(context);
        })
        {
            Summary = "Per pipeline stage, summed and per worker: calls, packets, packets per call, nanoseconds per packet; per worker: polls, busy polls, busy seconds.",
        };
        yield return new ControlMethod("ports.stats", false, p =>
        {
            p.AllowOnly();
            return () => PortStats(context);
        })
        {
            Summary = "Per port: driver, MAC, MTU, addresses, link state, received and transmitted packets and bytes, receive drops, transmit errors.",
        };
        yield return new ControlMethod("log.set-level", false, p =>
        {
            p.AllowOnly("level", "category");
            string text = p.RequiredString("level");
            if (!LogLevels.TryParse(text, out var level))
            {
                throw ControlRpcException.InvalidParams(p.Field("level"), $"'{text}' is not one of: {LogLevels.Names}");
            }

            string? category = p.OptionalString("category");
            if (category is { Length: 0 })
            {
                throw ControlRpcException.InvalidParams(p.Field("category"), "is empty; omit it to set the default level");
            }

            return () => SetLevel(context.Logging, level, category);
        })
        {
            Summary = "Set the daemon's log level, or one log category's; returns the previous one.",
            Parameters =
            [
                ControlParameter.Mandatory("level", ControlParameterType.String, $"one of: {LogLevels.Names}", "info"),
                ControlParameter.Optional("category", ControlParameterType.String, "a log category (a prefix: Dataplane.Control for all of the control plane); absent: the default level", "Dataplane.Control.Lisp"),
            ],
        };
        yield return new ControlMethod("state.dump", false, p =>
        {
            p.AllowOnly();
            return () => CanonicalJson.Sorted(RuleStateDump.Build(context));
        })
        {
            Summary = "The whole rule state as canonical JSON (what persistence saves): local EIDs, map-cache, static neighbours, services, tunnels, VXLAN domains.",
        };
    }

    /// <summary>
    /// Changes the logger factory's filter: the default level, or one category's (a prefix: "Dataplane.Control.Lisp", or
    /// "Dataplane.Control" for all). The change is logged at information, so it shows unless the new level hides it.
    /// </summary>
    private static JsonObject SetLevel(DaemonLogging logging, LogLevel level, string? category)
    {
        var previous = logging.Filter.Set(level, category);
        var logger = logging.Logger(LogCategories.Socket);
        var result = new JsonObject { ["previous"] = LogLevels.Name(previous), ["level"] = LogLevels.Name(level) };
        if (category is null)
        {
            ControlSocketLog.LevelChanged(logger, LogLevels.Name(previous), LogLevels.Name(level));
        }
        else
        {
            ControlSocketLog.CategoryLevelChanged(logger, category, LogLevels.Name(previous), LogLevels.Name(level));
            result["category"] = category;
        }

        return result;
    }

    private static JsonObject Counters(ControlContext context)
    {
        var workers = context.Plane.Workers;
        var total = Describe(CounterSnapshot.Sum(workers.Select(w => w.Counters)));
        var perWorker = new JsonArray();
        for (int i = 0; i < workers.Count; i++)
        {
            var node = Describe(CounterSnapshot.Sum([workers[i].Counters]));
            node["worker"] = i;
            node["puntQueueDepth"] = workers[i].Punts.Count;
            perWorker.Add(node);
        }

        total["workers"] = perWorker;
        return total;
    }

    /// <summary>Per stage, all workers summed and then each worker: calls, packets, packets per call, ns per packet.</summary>
    private static JsonObject Runtime(ControlContext context)
    {
        var workers = context.Plane.Workers;
        var perWorker = new JsonArray();
        for (int i = 0; i < workers.Count; i++)
        {
            var load = workers[i].Load;
            perWorker.Add(new JsonObject
            {
                ["worker"] = i,
                // The worker loop's rounds over its queues: how often it found work (vppctl's vectors per loop).
                ["polls"] = load.Polls,
                ["busyPolls"] = load.BusyPolls,
                ["busySeconds"] = Math.Round(load.BusySeconds, 6),
                ["stages"] = Describe(StageRuntime.Sum([workers[i].Runtime])),
            });
        }

        return new JsonObject
        {
            ["timedOneBatchIn"] = StageRuntime.SampleEvery,
            ["stages"] = Describe(StageRuntime.Sum(workers.Select(w => w.Runtime))),
            ["workers"] = perWorker,
        };
    }

    private static JsonArray Describe(IReadOnlyList<StageFigures> stages)
    {
        var list = new JsonArray();
        foreach (var stage in stages)
        {
            list.Add(new JsonObject
            {
                ["stage"] = stage.Name,
                ["calls"] = stage.Calls,
                ["packets"] = stage.Packets,
                ["packetsPerCall"] = Math.Round(stage.PacketsPerCall, 1),
                ["nsPerPacket"] = stage.NanosecondsPerPacket is { } ns ? Math.Round(ns, 2) : null,
            });
        }

        return list;
    }

    private static JsonObject Describe(CounterSnapshot snapshot)
    {
        var drops = new JsonObject();
        foreach (var (reason, count) in snapshot.Drops.OrderBy(d => d.Key.ToString(), StringComparer.Ordinal))
        {
            drops[reason.ToString()] = count;
        }

        var events = new JsonObject();
        foreach (var (forwardingEvent, count) in snapshot.Events.OrderBy(e => e.Key.ToString(), StringComparer.Ordinal))
        {
            events[forwardingEvent.ToString()] = count;
        }

        return new JsonObject
        {
            ["received"] = snapshot.Received,
            ["emitted"] = snapshot.Emitted,
            ["transmitted"] = snapshot.Transmitted,
            ["punted"] = snapshot.Punted,
            ["dropped"] = snapshot.TotalDropped,
            ["conserved"] = snapshot.IsConserved,
            ["drops"] = drops,
            ["events"] = events,
        };
    }

    private static JsonArray PortStats(ControlContext context)
    {
        var ports = new JsonArray();
        if (context.Ports is not { } open)
        {
            return ports;
        }

        foreach (var port in open.All)
        {
            var stats = port.Statistics;
            // The injection and replica ports the runtime adds have no configuration entry: driver "internal".
            var config = context.Plane.Config.Ports.FirstOrDefault(c => c.Name == port.Name);
            ports.Add(new JsonObject
            {
                ["port"] = port.Name,
                ["id"] = port.Id,
                ["driver"] = config is null ? "internal" : config.Driver ?? "none",
                ["mac"] = config?.Mac,
                ["mtu"] = config?.Mtu,
                ["addresses"] = new JsonArray((config?.Addresses ?? []).Select(a => (JsonNode)a).ToArray()),
                ["link"] = LinkState(config),
                ["rxPackets"] = stats.ReceivedPackets,
                ["rxBytes"] = stats.ReceivedBytes,
                ["txPackets"] = stats.TransmittedPackets,
                ["txBytes"] = stats.TransmittedBytes,
                ["rxDrops"] = stats.ReceiveDrops,
                ["txErrors"] = stats.TransmitErrors,
            });
        }

        return ports;
    }

    /// <summary>
    /// The kernel's operational state of an af_packet port's interface ("up", "down", "lowerlayerdown" ...); null for
    /// drivers without a link the host can see (pcap, dpdk, internal).
    /// </summary>
    private static string? LinkState(Forwarding.Configuration.PortConfig? config)
    {
        if (config is not { Driver: "af_packet", Interface: { Length: > 0 } name } || name.Contains('/', StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return File.ReadAllText($"/sys/class/net/{name}/operstate").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "absent";
        }
    }
}
