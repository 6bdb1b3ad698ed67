using System.Text.Json.Nodes;
using Dataplane.Forwarding.Tof;
using Dataplane.Forwarding.Tof.Clusters;
using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Socket;

/// <summary>
/// service.*: the TOF's registered services, the same operations as the REST API's /service (which calls
/// these through <see cref="ControlMethods.Invoke"/>, so REST changes are serialised and journaled like socket ones).
/// A missing entry is <see cref="JsonRpcErrorCodes.NotFound"/> and a taken name, serviceIP or application address
/// <see cref="JsonRpcErrorCodes.Conflict"/>, so the REST API can answer 404 and 409 instead of 400. A service's
/// application is one applicationIP or a cluster of instances (applications), see <see cref="TofClusterMethods"/>.
/// </summary>
public static class TofMethods
{
    public const int MaxNameLength = 64;

    public static IEnumerable<ControlMethod> Create(ControlContext context)
    {
        yield return new ControlMethod("service.add", true, p => Add(context, p))
        {
            Summary = "Register a TOF edge service: traffic to serviceIP is steered to applicationIP, or balanced over a cluster of applications.",
            Parameters =
            [
                ControlParameter.Mandatory("name", ControlParameterType.String, "1..64 of [A-Za-z0-9._-], not an IPv4 address", "video9"),
                ControlParameter.Mandatory("serviceIP", ControlParameterType.Address, "the address UEs send to", "198.51.100.99"),
                ControlParameter.Optional("applicationIP", ControlParameterType.Address, "the edge application's address, same family (or give applications)", "10.200.0.99"),
                ControlParameter.Optional("applications", ControlParameterType.ObjectArray, "a cluster instead of applicationIP: 1..64 of {ip, weight 1..1000 (default 1), drain (default false)}", TofClusterMethods.Example()),
            ],
        };
        yield return new ControlMethod("service.update", true, p => Update(context, p))
        {
            Summary = "Replace a TOF service (the new one may have another name).",
            Parameters =
            [
                ControlParameter.Mandatory("name", ControlParameterType.String, "the service to replace", "video"),
                ControlParameter.Mandatory("service", ControlParameterType.Object, "the new service: {name, serviceIP, applicationIP or applications}; flows in progress stay on their instance", new JsonObject { ["name"] = "video", ["serviceIP"] = "198.51.100.10", ["applicationIP"] = "10.200.0.11" }),
                ControlParameter.Optional("drain", ControlParameterType.Boolean, "true: the flows of instances the new service leaves out or marks drain are balanced again at their next packet (default false: they stay)", true),
            ],
        };
        yield return new ControlMethod("service.remove", true, p => Remove(context, p))
        {
            Summary = "Remove a TOF service by name or by service address.",
            Parameters =
            [
                ControlParameter.Mandatory("nameOrServiceIp", ControlParameterType.String, "the service's name or serviceIP", "video"),
            ],
        };
        yield return new ControlMethod("service.list", false, p =>
        {
            p.AllowOnly();
            var table = context.RequireTofServices("service.list");
            return () => new JsonArray(List(table).ToArray());
        })
        {
            Summary = "The TOF services sorted by name.",
        };
        yield return TofClusterMethods.Drain(context);
    }

    /// <summary>
    /// The services sorted by name as answers show them: {name, serviceIP, applicationIP}, and a cluster's
    /// applications too (applicationIP is then its first instance, for clients that know only the one address).
    /// </summary>
    public static IEnumerable<JsonNode> List(TofServiceTable table) => table.All.Select(s => (JsonNode)Describe(s));

    /// <summary>The services sorted by name, each in the shape service.add takes (the state dump, replayed at restart).</summary>
    public static IEnumerable<JsonNode> Dump(TofServiceTable table) => table.All.Select(s => (JsonNode)Describe(s, asParams: true));

    /// <summary>A service as answers show it, or (<paramref name="asParams"/>) as service.add takes it: a cluster without applicationIP.</summary>
    public static JsonObject Describe(TofService service, bool asParams = false)
    {
        var described = new JsonObject
        {
            ["name"] = service.Name,
            ["serviceIP"] = service.ServiceIp.ToString(),
        };
        if (!service.IsCluster || !asParams)
        {
            described["applicationIP"] = service.ApplicationIp.ToString();
        }

        if (service.IsCluster)
        {
            described["applications"] = TofClusterMethods.Describe(service.Applications);
        }

        return described;
    }

    /// <summary>Reads and checks {name, serviceIP, applicationIP or applications}; every problem names its field.</summary>
    public static TofService ReadService(ParamReader p)
    {
        p.AllowOnly("name", "serviceIP", "applicationIP", "applications");
        string name = p.RequiredString("name");
        if (NameProblem(name) is { } problem)
        {
            throw ControlRpcException.InvalidParams(p.Field("name"), problem);
        }

        var serviceIp = ReadUnicastAddress(p, "serviceIP");
        if (p.Has("applications"))
        {
            return p.Has("applicationIP")
                ? throw ControlRpcException.InvalidParams(p.Field("applications"), "give applicationIP (one application) or applications (a cluster), not both")
                : new TofService(name, serviceIp, TofClusterMethods.ReadApplications(p, serviceIp));
        }

        var applicationIp = ReadUnicastAddress(p, "applicationIP");
        if (serviceIp == applicationIp)
        {
            throw ControlRpcException.InvalidParams(p.Field("applicationIP"), $"{applicationIp} is the serviceIP too; the application must have an address of its own");
        }

        if (TofServiceAddress.PairProblem(serviceIp, applicationIp) is { } pairProblem)
        {
            throw ControlRpcException.InvalidParams(p.Field("applicationIP"), $"{applicationIp} {pairProblem} (the TOF does not translate between IPv4 and IPv6)");
        }

        return new TofService(name, serviceIp, applicationIp);
    }

    /// <summary>
    /// Names go into URLs (/service/{name}) and DELETE takes a name or a serviceIP in the same place, so a name is
    /// 1..64 of [A-Za-z0-9._-] and never an IPv4 address (an IPv6 address has a ':', which no name has).
    /// </summary>
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

        return Ipv4Address.TryParse(name, out _) ? $"'{name}' is an IPv4 address; DELETE /service/{{name}} could not tell it from a serviceIP" : null;
    }

    private static IpAddress ReadUnicastAddress(ParamReader p, string field)
    {
        string text = p.RequiredString(field);
        if (!IpAddress.TryParse(text, out var address))
        {
            throw ControlRpcException.InvalidParams(p.Field(field), $"'{text}' is not an IPv4 address (a.b.c.d) or an IPv6 address (2001:db8::1)");
        }

        // 0.0.0.0, 224.0.0.0/4 (multicast) and up (class E, broadcast), ::, ::1, ff00::/8, fe80::/10 never name one host a UE reaches.
        if (TofServiceAddress.Problem(address) is { } problem)
        {
            throw ControlRpcException.InvalidParams(p.Field(field), $"{address} is not a unicast address ({problem})");
        }

        return address;
    }

    private static Func<JsonNode?> Add(ControlContext context, ParamReader p)
    {
        var table = context.RequireTofServices("service.add");
        var service = ReadService(p);
        ThrowIfConflict(table, service, replacing: null, p.Path);
        return () =>
        {
            if (!table.TryAdd(service, out string conflict))
            {
                throw new ControlRpcException(JsonRpcErrorCodes.Conflict, conflict);
            }

            return Describe(service);
        };
    }

    private static Func<JsonNode?> Update(ControlContext context, ParamReader p)
    {
        p.AllowOnly("name", "service", "drain");
        var table = context.RequireTofServices("service.update");
        string name = p.RequiredString("name");
        bool drain = p.OptionalBool("drain") ?? false;
        var serviceParams = p.RequiredObject("service");
        var service = ReadService(serviceParams);
        if (!table.TryGet(name, out _))
        {
            throw new ControlRpcException(JsonRpcErrorCodes.NotFound, $"no service named '{name}'");
        }

        ThrowIfConflict(table, service, replacing: name, serviceParams.Path);
        return () =>
        {
            if (!table.TryReplace(name, service, drain, out _, out bool notFound, out string conflict))
            {
                throw new ControlRpcException(notFound ? JsonRpcErrorCodes.NotFound : JsonRpcErrorCodes.Conflict, conflict);
            }

            return Describe(service);
        };
    }

    private static Func<JsonNode?> Remove(ControlContext context, ParamReader p)
    {
        p.AllowOnly("nameOrServiceIp");
        var table = context.RequireTofServices("service.remove");
        string key = p.RequiredString("nameOrServiceIp");
        bool isAddress = IpAddress.TryParse(key, out var address); // an IPv6 serviceIP in any of its spellings
        var existing = table.All.FirstOrDefault(s => s.Name == key || (isAddress && s.ServiceIp == address))
            ?? throw new ControlRpcException(JsonRpcErrorCodes.NotFound, $"no service named '{key}' or with serviceIP {key}");
        return () =>
        {
            // By name: the table's own match by serviceIP compares text, and the name is unique anyway.
            if (!table.TryRemove(existing.Name, out var removed))
            {
                throw new ControlRpcException(JsonRpcErrorCodes.NotFound, $"no service named '{existing.Name}'");
            }

            return Describe(removed);
        };
    }

    /// <summary>The table's own conflict rule, checked before the change is journaled so a refused request leaves no trace.</summary>
    private static void ThrowIfConflict(TofServiceTable table, TofService candidate, string? replacing, string path)
    {
        foreach (var existing in table.All)
        {
            if (existing.Name == replacing)
            {
                continue;
            }

            if (existing.Name == candidate.Name)
            {
                throw new ControlRpcException(JsonRpcErrorCodes.Conflict, $"name '{candidate.Name}' is taken");
            }

            if (existing.ServiceIp == candidate.ServiceIp)
            {
                throw new ControlRpcException(JsonRpcErrorCodes.Conflict, $"serviceIP {candidate.ServiceIp} is taken by '{existing.Name}'");
            }

            TofClusterMethods.ThrowIfApplicationTaken(existing, candidate, path);
        }
    }
}
