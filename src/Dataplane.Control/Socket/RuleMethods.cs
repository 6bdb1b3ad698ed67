using System.Globalization;
using System.Text.Json.Nodes;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Rules;

namespace Dataplane.Control.Socket;

/// <summary>
/// rule.*: the traffic rules (docs/configuration/traffic-rules.md), the same operations as the REST API's /rule (which
/// calls these through <see cref="ControlMethods.Invoke"/>, so REST changes are serialised and journaled like socket
/// ones). A rule's params are the rule itself, in the configuration's shape, checked by the configuration's reader:
/// errors name the field under "params" ("params.match.sourcePorts: 80-20 is not a range low-high"). A taken name or
/// priority is <see cref="JsonRpcErrorCodes.Conflict"/>, a missing rule <see cref="JsonRpcErrorCodes.NotFound"/>.
/// </summary>
public static class RuleMethods
{
    public static IEnumerable<ControlMethod> Create(ControlContext context)
    {
        var table = context.Plane.TrafficRules;
        yield return new ControlMethod("rule.add", true, p => Add(table, p))
        {
            Summary = "Add a traffic rule (classify, then offload, rate-limit, mark DSCP, drop or count).",
            Parameters = RuleParameters(),
        };
        yield return new ControlMethod("rule.replace", true, p => Replace(table, p))
        {
            Summary = "Replace the traffic rule of a name with another (which may have another name); its counters start again.",
            Parameters =
            [
                ControlParameter.Mandatory("name", ControlParameterType.String, "the rule to replace", "video-cap"),
                ControlParameter.Mandatory("rule", ControlParameterType.Object, "the new rule, as rule.add takes it", Example()),
            ],
        };
        yield return new ControlMethod("rule.remove", true, p => Remove(table, p))
        {
            Summary = "Remove a traffic rule by name.",
            Parameters = [ControlParameter.Mandatory("name", ControlParameterType.String, "the rule's name", "video-cap")],
        };
        yield return new ControlMethod("rule.clear", true, p =>
        {
            p.AllowOnly();
            return () => new JsonObject { ["removed"] = table.Clear() };
        })
        {
            Summary = "Remove every traffic rule.",
        };
        yield return new ControlMethod("rule.list", false, p =>
        {
            p.AllowOnly();
            return () => new JsonArray([.. table.All.Select(r => (JsonNode)DescribeWithCounters(r))]);
        })
        {
            Summary = "The traffic rules by scope and priority (highest first), each with its counters: packets and bytes matched, drops, policer drops.",
        };
    }

    /// <summary>The rules sorted by name, each in the shape rule.add takes (the state dump's "trafficRules").</summary>
    public static JsonArray Dump(TrafficRuleTable table) =>
        new([.. table.Definitions.OrderBy(r => r.Name, StringComparer.Ordinal).Select(r => (JsonNode)Describe(r))]);

    /// <summary>A rule as rule.add and the configuration take it: every field it has, defaults written out where they matter.</summary>
    public static JsonObject Describe(TrafficRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var described = new JsonObject { ["name"] = rule.Name, ["priority"] = (int)rule.Priority };
        if (rule.Scope == TrafficRuleScope.Tof)
        {
            described["scope"] = "tof";
            if (rule.Service is { } service)
            {
                described["service"] = service;
            }

            if (rule.Ue is { } ue)
            {
                described["ue"] = ue.ToString();
            }

            described["direction"] = rule.Direction switch
            {
                TrafficDirections.Uplink => "uplink",
                TrafficDirections.Downlink => "downlink",
                _ => "both",
            };
        }
        else
        {
            described["scope"] = "instance";
            if (rule.Vni is { } vni)
            {
                described["vni"] = vni;
            }
            else
            {
                described["instanceId"] = rule.InstanceId;
            }
        }

        var match = new JsonObject();
        var m = rule.Match;
        if (m.Source is { } source)
        {
            match["source"] = source.ToString();
        }

        if (m.Destination is { } destination)
        {
            match["destination"] = destination.ToString();
        }

        if (m.Protocol is { } protocol)
        {
            match["protocol"] = protocol switch { 6 => "tcp", 17 => "udp", 1 => "icmp", 58 => "icmpv6", _ => JsonValue.Create((int)protocol) };
        }

        if (m.SourcePorts is { } sourcePorts)
        {
            match["sourcePorts"] = Ports(sourcePorts);
        }

        if (m.DestinationPorts is { } destinationPorts)
        {
            match["destinationPorts"] = Ports(destinationPorts);
        }

        if (m.Dscp is { } dscp)
        {
            match["dscp"] = (int)dscp;
        }

        if (match.Count > 0)
        {
            described["match"] = match;
        }

        var actions = new JsonObject();
        var a = rule.Actions;
        if (a.Offload is { } offload)
        {
            actions["offload"] = offload;
        }

        if (a.RateLimit is { } limit)
        {
            var rate = new JsonObject();
            if (limit.PacketsPerSecond > 0)
            {
                rate["packetsPerSecond"] = limit.PacketsPerSecond;
                rate["burstPackets"] = limit.BurstPackets;
            }

            if (limit.BitsPerSecond > 0)
            {
                rate["bitsPerSecond"] = limit.BitsPerSecond;
                rate["burstBytes"] = limit.BurstBytes;
            }

            rate["per"] = limit.Per == PolicerScope.Ue ? "ue" : "rule";
            actions["rateLimit"] = rate;
        }

        if (a.MarkDscp is { } mark)
        {
            actions["markDscp"] = (int)mark;
        }

        if (a.Drop)
        {
            actions["drop"] = true;
        }

        if (a.Count)
        {
            actions["count"] = true;
        }

        if (a.ServicePath is { } spi)
        {
            actions["servicePath"] = spi;
        }

        described["actions"] = actions;
        return described;
    }

    /// <summary><see cref="Describe"/> with the rule's counters (rule.list, GET /rule).</summary>
    public static JsonObject DescribeWithCounters(TrafficRuleState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var described = Describe(state.Rule);
        var counters = new JsonObject
        {
            ["packets"] = state.Packets,
            ["bytes"] = state.Bytes,
            ["drops"] = state.Drops,
            ["policerDrops"] = state.PolicerDrops,
        };
        if (state.Policer is { Limit.Per: PolicerScope.Ue } policer)
        {
            counters["ueOverflows"] = policer.UeOverflows;
        }

        described["counters"] = counters;
        return described;
    }

    /// <summary>Reads a rule from <paramref name="p"/> whole, with the configuration's checks; errors name the field under the reader's path.</summary>
    public static TrafficRule ReadRule(TrafficRuleTable table, ParamReader p)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(p);
        return ControlContext.Checked(() => table.Reader.Read(p.Element, p.Path));
    }

    private static Func<JsonNode?> Add(TrafficRuleTable table, ParamReader p)
    {
        var rule = ReadRule(table, p);
        ThrowIfRefused(table, rule, replacing: null, p.Path);
        return () =>
        {
            if (!table.TryAdd(rule, out string problem))
            {
                throw new ControlRpcException(JsonRpcErrorCodes.Conflict, problem);
            }

            return Describe(rule);
        };
    }

    private static Func<JsonNode?> Replace(TrafficRuleTable table, ParamReader p)
    {
        p.AllowOnly("name", "rule");
        string name = p.RequiredString("name");
        var rule = ReadRule(table, p.RequiredObject("rule"));
        if (!table.TryGet(name, out _))
        {
            throw new ControlRpcException(JsonRpcErrorCodes.NotFound, $"no rule named '{name}'");
        }

        ThrowIfRefused(table, rule, replacing: name, p.Field("rule"));
        return () =>
        {
            if (!table.TryReplace(name, rule, out string problem))
            {
                throw new ControlRpcException(JsonRpcErrorCodes.Conflict, problem);
            }

            return Describe(rule);
        };
    }

    private static Func<JsonNode?> Remove(TrafficRuleTable table, ParamReader p)
    {
        p.AllowOnly("name");
        string name = p.RequiredString("name");
        if (!table.TryGet(name, out _))
        {
            throw new ControlRpcException(JsonRpcErrorCodes.NotFound, $"no rule named '{name}'");
        }

        return () => table.TryRemove(name, out var removed)
            ? Describe(removed)
            : throw new ControlRpcException(JsonRpcErrorCodes.NotFound, $"no rule named '{name}'");
    }

    /// <summary>The table's own refusals, checked before the change is journaled so a refused request leaves no trace.</summary>
    private static void ThrowIfRefused(TrafficRuleTable table, TrafficRule rule, string? replacing, string path)
    {
        if (table.Problem(rule, replacing) is { } problem)
        {
            int code = problem.Field is "name" or "priority" && !problem.Problem.Contains("full", StringComparison.Ordinal)
                ? JsonRpcErrorCodes.Conflict
                : JsonRpcErrorCodes.InvalidParams;
            throw new ControlRpcException(code, $"{path}.{problem.Field}: {problem.Problem}");
        }
    }

    private static JsonNode Ports(FieldRange range) => range.Low == range.High
        ? JsonValue.Create(((ulong)range.Low).ToString(CultureInfo.InvariantCulture))
        : JsonValue.Create($"{(ulong)range.Low}-{(ulong)range.High}");

    private static ControlParameter[] RuleParameters() =>
    [
        ControlParameter.Mandatory("name", ControlParameterType.String, "unique, 1..64 of [A-Za-z0-9._-]", "video-cap"),
        ControlParameter.Mandatory("priority", ControlParameterType.Integer, "1..65535, higher matched first; unique within a scope", 100),
        ControlParameter.Mandatory("scope", ControlParameterType.String, "\"tof\" (user traffic on the TOF) or \"instance\" (native IP of an instance)", "tof"),
        ControlParameter.Optional("instanceId", ControlParameterType.Integer, "scope instance: the instance (VRF) matched", 0),
        ControlParameter.Optional("vni", ControlParameterType.Integer, "scope instance, instead of instanceId: an L3 VNI of the configuration", 5000),
        ControlParameter.Optional("service", ControlParameterType.String, "scope tof: only traffic to or from this registered service", "video"),
        ControlParameter.Optional("ue", ControlParameterType.String, "scope tof: UE prefix (inner source uplink, inner destination downlink)", "10.1.0.0/16"),
        ControlParameter.Optional("direction", ControlParameterType.String, "scope tof: uplink, downlink or both (default)", "uplink"),
        ControlParameter.Optional("match", ControlParameterType.Object, "{source, destination, protocol, sourcePorts, destinationPorts, dscp}, each optional",
            new JsonObject { ["protocol"] = "udp", ["destinationPorts"] = "443" }),
        ControlParameter.Mandatory("actions", ControlParameterType.Object, "{offload, rateLimit, markDscp, drop, count, servicePath}, at least one",
            new JsonObject { ["markDscp"] = 10, ["count"] = true }),
    ];

    private static JsonObject Example() => new()
    {
        ["name"] = "video-cap",
        ["priority"] = 100,
        ["scope"] = "tof",
        ["actions"] = new JsonObject { ["rateLimit"] = new JsonObject { ["bitsPerSecond"] = 10_000_000 } },
    };
}
