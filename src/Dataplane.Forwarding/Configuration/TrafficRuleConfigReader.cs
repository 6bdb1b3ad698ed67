using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dataplane.Forwarding.Rules;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Configuration;

/// <summary>
/// Checks traffic rules field by field and turns them into <see cref="TrafficRule"/>s. Every problem is a
/// <see cref="ConfigurationException"/> whose field is the JSON path of the value at fault
/// ("trafficRules[2].match.sourcePorts"), the same for the configuration, the control socket and the REST API.
/// </summary>
public sealed class TrafficRuleConfigReader
{
    public const int MaxNameLength = 64;
    public const int MaxPriority = 65_535;
    public const int MaxRulesLimit = 65_536;
    public const int MaxUesPerRuleLimit = 1 << 22;

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        RespectNullableAnnotations = true,
    };

    private static readonly Dictionary<string, byte> ProtocolNames = new(StringComparer.Ordinal)
    {
        ["tcp"] = 6,
        ["udp"] = 17,
        ["icmp"] = 1,
        ["icmpv6"] = 58,
    };

    private readonly Func<string, bool>? serviceExists;
    private readonly IReadOnlyDictionary<uint, uint> instanceOfVni;

    /// <param name="serviceExists">Whether a TOF service of that name is registered; null when the plane has no TOF (scope tof is then refused).</param>
    /// <param name="instanceOfVni">The L3 VNIs of the VXLAN configuration and their instances.</param>
    public TrafficRuleConfigReader(Func<string, bool>? serviceExists, IReadOnlyDictionary<uint, uint> instanceOfVni)
    {
        this.serviceExists = serviceExists;
        this.instanceOfVni = instanceOfVni;
    }

    /// <summary>The L3 VNIs of <paramref name="config"/>, to resolve rules given by VNI.</summary>
    public static IReadOnlyDictionary<uint, uint> L3Vnis(DataplaneConfig config)
    {
        var vnis = new Dictionary<uint, uint>();
        foreach (var l3 in config.Vxlan?.L3Vnis ?? [])
        {
            vnis[l3.Vni] = l3.InstanceId;
        }

        return vnis;
    }

    /// <summary>Checks the limits section (top-level trafficRuleLimits).</summary>
    public static TrafficRuleLimitsConfig Limits(TrafficRuleLimitsConfig? limits)
    {
        limits ??= new TrafficRuleLimitsConfig();
        if (limits.MaxRules is < 1 or > MaxRulesLimit)
        {
            throw new ConfigurationException("trafficRuleLimits.maxRules", $"{limits.MaxRules} is outside 1..{MaxRulesLimit}");
        }

        if (limits.UesPerRule < 16 || limits.UesPerRule > MaxUesPerRuleLimit || (limits.UesPerRule & (limits.UesPerRule - 1)) != 0)
        {
            throw new ConfigurationException("trafficRuleLimits.uesPerRule", $"{limits.UesPerRule} is not a power of two in 16..{MaxUesPerRuleLimit}");
        }

        return limits;
    }

    /// <summary>
    /// The configuration's <c>trafficRules</c>, checked one by one and against each other (names unique, priorities
    /// unique within a scope, at most <paramref name="maxRules"/>).
    /// </summary>
    public IReadOnlyList<TrafficRule> ReadAll(IReadOnlyList<TrafficRuleConfig>? rules, int maxRules, string field = "trafficRules")
    {
        rules ??= [];
        if (rules.Count > maxRules)
        {
            throw new ConfigurationException(field, $"{rules.Count} rules; at most {maxRules} (trafficRuleLimits.maxRules)");
        }

        var read = new List<TrafficRule>(rules.Count);
        for (int i = 0; i < rules.Count; i++)
        {
            string at = $"{field}[{i}]";
            var rule = Read(rules[i] ?? throw new ConfigurationException(at, "a rule must be an object, not null"), at);
            if (Conflict(read, rule, replacing: null) is { } conflict)
            {
                throw new ConfigurationException(conflict.Field(at), conflict.Problem);
            }

            read.Add(rule);
        }

        return read;
    }

    /// <summary>
    /// A rule as a JSON object (the control socket's params, a REST body), read with the configuration's strictness:
    /// an unknown field or a wrong type names its path under <paramref name="field"/>.
    /// </summary>
    public TrafficRule Read(JsonElement element, string field)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigurationException(field, $"expected an object, got {element.ValueKind.ToString().ToLowerInvariant()}");
        }

        TrafficRuleConfig? config;
        try
        {
            config = element.Deserialize<TrafficRuleConfig>(Options);
        }
        catch (JsonException e)
        {
            string path = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? field : field + e.Path.TrimStart('$');
            int end = e.Message.IndexOf(" Path:", StringComparison.Ordinal);
            throw new ConfigurationException(path, end > 0 ? e.Message[..end] : e.Message);
        }

        return Read(config ?? throw new ConfigurationException(field, "expected an object, got null"), field);
    }

    /// <summary>One rule, checked on its own (not against other rules).</summary>
    public TrafficRule Read(TrafficRuleConfig rule, string field)
    {
        ArgumentNullException.ThrowIfNull(rule);
        string name = rule.Name ?? throw new ConfigurationException($"{field}.name", "missing; a rule needs a name");
        if (NameProblem(name) is { } nameProblem)
        {
            throw new ConfigurationException($"{field}.name", nameProblem);
        }

        int priority = rule.Priority ?? throw new ConfigurationException($"{field}.priority", $"missing; expected 1..{MaxPriority}");
        if (priority is < 1 or > MaxPriority)
        {
            throw new ConfigurationException($"{field}.priority", $"{priority} is outside 1..{MaxPriority}");
        }

        var scope = rule.Scope switch
        {
            "tof" => TrafficRuleScope.Tof,
            "instance" => TrafficRuleScope.Instance,
            null => throw new ConfigurationException($"{field}.scope", "missing; expected \"tof\" or \"instance\""),
            _ => throw new ConfigurationException($"{field}.scope", $"'{rule.Scope}' is not one of: tof, instance"),
        };

        uint instanceId = 0;
        var direction = TrafficDirections.Both;
        IpPrefix? ue = null;
        if (scope == TrafficRuleScope.Tof)
        {
            if (serviceExists is null)
            {
                throw new ConfigurationException($"{field}.scope", "scope tof needs the tof role");
            }

            NotInScope(rule.InstanceId is not null, field, "instanceId", "tof");
            NotInScope(rule.Vni is not null, field, "vni", "tof");
            direction = rule.Direction switch
            {
                null or "both" => TrafficDirections.Both,
                "uplink" => TrafficDirections.Uplink,
                "downlink" => TrafficDirections.Downlink,
                _ => throw new ConfigurationException($"{field}.direction", $"'{rule.Direction}' is not one of: uplink, downlink, both"),
            };

            if (rule.Service is { } service && !serviceExists(service))
            {
                throw new ConfigurationException($"{field}.service", $"no registered service named '{service}'");
            }

            ue = rule.Ue is null ? null : Prefix(rule.Ue, $"{field}.ue");
        }
        else
        {
            NotInScope(rule.Service is not null, field, "service", "instance");
            NotInScope(rule.Ue is not null, field, "ue", "instance");
            NotInScope(rule.Direction is not null, field, "direction", "instance");
            if (rule.InstanceId is { } id && rule.Vni is not null)
            {
                throw new ConfigurationException($"{field}.vni", "give instanceId or vni, not both");
            }

            if (rule.Vni is { } vni)
            {
                instanceId = instanceOfVni.TryGetValue(vni, out uint resolved)
                    ? resolved
                    : throw new ConfigurationException($"{field}.vni", $"{vni} is not an L3 VNI of the configuration (vxlan.l3Vnis)");
            }
            else
            {
                instanceId = rule.InstanceId ?? throw new ConfigurationException($"{field}.instanceId", "missing; scope instance needs instanceId or vni");
                if (instanceId > EidPrefix.MaxInstanceId)
                {
                    throw new ConfigurationException($"{field}.instanceId", $"{instanceId} does not fit 24 bits");
                }
            }
        }

        var match = ReadMatch(rule.Match, $"{field}.match");
        if (ue is { } uePrefix && match.Family is { } family && family != uePrefix.Family)
        {
            throw new ConfigurationException($"{field}.ue", $"{uePrefix} is not of the family of match's prefixes (IPv{(family == IpFamily.V4 ? 4 : 6)})");
        }

        var actions = ReadActions(rule.Actions, $"{field}.actions", scope);
        return new TrafficRule
        {
            Name = name,
            Priority = (ushort)priority,
            Scope = scope,
            InstanceId = instanceId,
            Vni = scope == TrafficRuleScope.Instance ? rule.Vni : null,
            Service = rule.Service,
            Ue = ue,
            Direction = direction,
            Match = match,
            Actions = actions,
        };
    }

    /// <summary>Why <paramref name="candidate"/> cannot join <paramref name="rules"/> (a name or a priority of its scope taken), or null.</summary>
    public static (Func<string, string> Field, string Problem)? Conflict(IEnumerable<TrafficRule> rules, TrafficRule candidate, string? replacing)
    {
        foreach (var existing in rules)
        {
            if (existing.Name == replacing)
            {
                continue;
            }

            if (existing.Name == candidate.Name)
            {
                return (at => $"{at}.name", $"'{candidate.Name}' is already the name of another rule");
            }

            if (existing.Scope == candidate.Scope && existing.InstanceId == candidate.InstanceId && existing.Priority == candidate.Priority)
            {
                string where = candidate.Scope == TrafficRuleScope.Tof ? "scope tof" : $"instance {candidate.InstanceId}";
                return (at => $"{at}.priority", $"{candidate.Priority} is already the priority of rule '{existing.Name}' in {where}");
            }
        }

        return null;
    }

    /// <summary>Names go into URLs (/rule/{name}): 1..64 of [A-Za-z0-9._-].</summary>
    public static string? NameProblem(string name)
    {
        if (name.Length is 0 or > MaxNameLength)
        {
            return $"must be 1..{MaxNameLength} characters, got {name.Length}";
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return $"'{name}' has '{c}'; a name is made of letters, digits, '.', '_' and '-'";
            }
        }

        return null;
    }

    private static void NotInScope(bool given, string field, string name, string scope)
    {
        if (given)
        {
            throw new ConfigurationException($"{field}.{name}", $"not allowed in scope {scope}");
        }
    }

    private static TrafficRuleMatch ReadMatch(TrafficRuleMatchConfig? match, string field)
    {
        if (match is null)
        {
            return new TrafficRuleMatch();
        }

        var source = match.Source is null ? (IpPrefix?)null : Prefix(match.Source, $"{field}.source");
        var destination = match.Destination is null ? (IpPrefix?)null : Prefix(match.Destination, $"{field}.destination");
        if (source is { } s && destination is { } d && s.Family != d.Family)
        {
            throw new ConfigurationException($"{field}.destination", $"{d} and source {s} are of different address families");
        }

        byte? protocol = match.Protocol is { } p ? Protocol(p, $"{field}.protocol") : null;
        var sourcePorts = match.SourcePorts is { } sp ? Ports(sp, $"{field}.sourcePorts") : (FieldRange?)null;
        var destinationPorts = match.DestinationPorts is { } dp ? Ports(dp, $"{field}.destinationPorts") : (FieldRange?)null;
        if ((sourcePorts is not null || destinationPorts is not null) && protocol is not (6 or 17))
        {
            string which = sourcePorts is not null ? "sourcePorts" : "destinationPorts";
            throw new ConfigurationException($"{field}.{which}", "ports need protocol tcp or udp");
        }

        if (match.Dscp is { } dscp && dscp is < 0 or > 63)
        {
            throw new ConfigurationException($"{field}.dscp", $"{dscp} is outside 0..63");
        }

        if (protocol is 1 && (source ?? destination)?.Family == IpFamily.V6)
        {
            throw new ConfigurationException($"{field}.protocol", "icmp (1) with IPv6 prefixes; IPv6 carries icmpv6 (58)");
        }

        if (protocol is 58 && (source ?? destination)?.Family == IpFamily.V4)
        {
            throw new ConfigurationException($"{field}.protocol", "icmpv6 (58) with IPv4 prefixes; IPv4 carries icmp (1)");
        }

        return new TrafficRuleMatch
        {
            Source = source,
            Destination = destination,
            Protocol = protocol,
            SourcePorts = sourcePorts,
            DestinationPorts = destinationPorts,
            Dscp = (byte?)match.Dscp,
        };
    }

    private TrafficRuleActions ReadActions(TrafficRuleActionsConfig? actions, string field, TrafficRuleScope scope)
    {
        if (actions is null)
        {
            throw new ConfigurationException(field, "missing; a rule needs at least one action (offload, rateLimit, markDscp, drop, count)");
        }

        bool drop = actions.Drop ?? false;
        bool count = actions.Count ?? false;
        if (actions.Offload is { } offload)
        {
            if (scope != TrafficRuleScope.Tof)
            {
                throw new ConfigurationException($"{field}.offload", "not allowed in scope instance (offload is the TOF's)");
            }

            if (serviceExists is null || !serviceExists(offload))
            {
                throw new ConfigurationException($"{field}.offload", $"no registered service named '{offload}'");
            }
        }

        if (actions.ServicePath is { } spi)
        {
            if (scope != TrafficRuleScope.Instance)
            {
                throw new ConfigurationException($"{field}.servicePath", "not allowed in scope tof (the NSH classifier takes native packets of an instance)");
            }

            if (spi is < 1 or > 0xFF_FFFF)
            {
                throw new ConfigurationException($"{field}.servicePath", $"{spi} is outside 1..16777215");
            }
        }

        if (actions.MarkDscp is { } mark && mark is < 0 or > 63)
        {
            throw new ConfigurationException($"{field}.markDscp", $"{mark} is outside 0..63");
        }

        var rateLimit = actions.RateLimit is null ? null : RateLimit(actions.RateLimit, $"{field}.rateLimit", scope);
        if (drop && (actions.Offload is not null || actions.MarkDscp is not null || rateLimit is not null || actions.ServicePath is not null))
        {
            throw new ConfigurationException($"{field}.drop", "drop goes with no other action than count");
        }

        if (!drop && !count && actions.Offload is null && actions.MarkDscp is null && rateLimit is null && actions.ServicePath is null)
        {
            throw new ConfigurationException(field, "no action; give at least one of offload, rateLimit, markDscp, drop, count, servicePath");
        }

        return new TrafficRuleActions
        {
            Offload = actions.Offload, RateLimit = rateLimit, MarkDscp = (byte?)actions.MarkDscp, Drop = drop, Count = count, ServicePath = (uint?)actions.ServicePath,
        };
    }

    private static TrafficRateLimit RateLimit(TrafficRateLimitConfig limit, string field, TrafficRuleScope scope)
    {
        long pps = limit.PacketsPerSecond ?? 0;
        long bps = limit.BitsPerSecond ?? 0;
        if (limit.PacketsPerSecond is not null && pps is < 1 or > 1_000_000_000)
        {
            throw new ConfigurationException($"{field}.packetsPerSecond", $"{pps} is outside 1..1000000000");
        }

        if (limit.BitsPerSecond is not null && bps is < 8_000 or > 1_000_000_000_000)
        {
            throw new ConfigurationException($"{field}.bitsPerSecond", $"{bps} is outside 8000..1000000000000");
        }

        if (pps == 0 && bps == 0)
        {
            throw new ConfigurationException(field, "give packetsPerSecond, bitsPerSecond or both");
        }

        if (limit.BurstPackets is not null && pps == 0)
        {
            throw new ConfigurationException($"{field}.burstPackets", "needs packetsPerSecond");
        }

        if (limit.BurstBytes is not null && bps == 0)
        {
            throw new ConfigurationException($"{field}.burstBytes", "needs bitsPerSecond");
        }

        // Default bursts: a tenth of a second at the rate, and never less than one packet / one 9000-byte jumbo frame.
        long burstPackets = limit.BurstPackets ?? (pps == 0 ? 0 : Math.Max(1, pps / 10));
        long burstBytes = limit.BurstBytes ?? (bps == 0 ? 0 : Math.Max(9_000, bps / 80));
        if (pps != 0 && burstPackets is < 1 or > 1_000_000_000)
        {
            throw new ConfigurationException($"{field}.burstPackets", $"{burstPackets} is outside 1..1000000000");
        }

        if (bps != 0 && burstBytes is < 64 or > 1_000_000_000_000)
        {
            throw new ConfigurationException($"{field}.burstBytes", $"{burstBytes} is outside 64..1000000000000");
        }

        var per = limit.Per switch
        {
            null or "rule" => PolicerScope.Rule,
            "ue" => PolicerScope.Ue,
            _ => throw new ConfigurationException($"{field}.per", $"'{limit.Per}' is not one of: rule, ue"),
        };

        if (per == PolicerScope.Ue && scope != TrafficRuleScope.Tof)
        {
            throw new ConfigurationException($"{field}.per", "\"ue\" needs scope tof (UEs are the TOF's)");
        }

        return new TrafficRateLimit(pps, bps, burstPackets, burstBytes, per);
    }

    private static IpPrefix Prefix(string text, string field)
    {
        int slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (!IpAddress.TryParse(addressText, out var address))
        {
            throw new ConfigurationException(field, $"'{text}' is not an IPv4 or IPv6 prefix (10.1.0.0/16, 2001:db8::/32)");
        }

        int length = address.BitLength;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > address.BitLength))
        {
            throw new ConfigurationException(field, $"'{text}' has a prefix length outside 0..{address.BitLength}");
        }

        if (address.Masked(length) != address)
        {
            throw new ConfigurationException(field, $"'{text}' has host bits set; the prefix is {address.Masked(length)}/{length}");
        }

        return new IpPrefix(address, (byte)length);
    }

    private static byte Protocol(JsonElement value, string field)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            string text = value.GetString()!;
            return ProtocolNames.TryGetValue(text, out byte named)
                ? named
                : throw new ConfigurationException(field, $"'{text}' is not one of: tcp, udp, icmp, icmpv6 (or a number 0..255)");
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number) && number is >= 0 and <= 255)
        {
            return (byte)number;
        }

        throw new ConfigurationException(field, $"{value.GetRawText()} is not tcp, udp, icmp, icmpv6 or a number 0..255");
    }

    private static FieldRange Ports(JsonElement value, string field)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.TryGetInt32(out int port) && port is >= 0 and <= 65_535
                ? new FieldRange((uint)port, (uint)port)
                : throw new ConfigurationException(field, $"{value.GetRawText()} is not a port 0..65535");
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new ConfigurationException(field, $"expected a port or a range \"low-high\", got {value.ValueKind.ToString().ToLowerInvariant()}");
        }

        string text = value.GetString()!;
        int dash = text.IndexOf('-');
        if (dash < 0)
        {
            return TryPort(text, out int single)
                ? new FieldRange((uint)single, (uint)single)
                : throw new ConfigurationException(field, $"'{text}' is not a port 0..65535 or a range low-high");
        }

        if (!TryPort(text[..dash], out int low) || !TryPort(text[(dash + 1)..], out int high))
        {
            throw new ConfigurationException(field, $"'{text}' is not a port 0..65535 or a range low-high");
        }

        return low <= high ? new FieldRange((uint)low, (uint)high) : throw new ConfigurationException(field, $"{text} is not a range low-high");
    }

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65_535;
}
