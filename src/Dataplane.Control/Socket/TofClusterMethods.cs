using System.Text.Json.Nodes;
using Dataplane.Forwarding.Tof;
using Dataplane.Forwarding.Tof.Clusters;
using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Socket;

/// <summary>
/// A TOF service's application cluster over the socket: reading and describing "applications" (for service.add and
/// service.update), the rule that an application address belongs to one service, and service.drain, which stops
/// new flows to an instance and moves the flows it carries.
/// </summary>
public static class TofClusterMethods
{
    /// <summary>service.drain {name, ip}.</summary>
    public static ControlMethod Drain(ControlContext context) => new("service.drain", true, p => DrainInstance(context, p))
    {
        Summary = "Drain one application instance of a TOF service: it gets no new flows, and the flows it carries are balanced again at their next packet.",
        Parameters =
        [
            ControlParameter.Mandatory("name", ControlParameterType.String, "the service", "video"),
            ControlParameter.Mandatory("ip", ControlParameterType.Address, "the instance: a current one (marked drain: true) or one an update left out", "10.200.0.11"),
        ],
    };

    /// <summary>An example cluster for rpc.describe.</summary>
    public static JsonArray Example() =>
    [
        new JsonObject { ["ip"] = "10.200.0.10", ["weight"] = 3 },
        new JsonObject { ["ip"] = "10.200.0.11", ["weight"] = 1, ["drain"] = false },
    ];

    /// <summary>The instances as answers and the state dump show them: every field, defaults included.</summary>
    public static JsonArray Describe(IReadOnlyList<TofApplication> applications)
    {
        var described = new JsonArray();
        foreach (var application in applications)
        {
            described.Add(new JsonObject
            {
                ["ip"] = application.Ip.ToString(),
                ["weight"] = application.Weight,
                ["drain"] = application.Drain,
            });
        }

        return described;
    }

    /// <summary>Reads and checks "applications" of <paramref name="p"/> (a service's params); every problem names its field.</summary>
    public static List<TofApplication> ReadApplications(ParamReader p, IpAddress serviceIp)
    {
        ArgumentNullException.ThrowIfNull(p);
        var items = p.OptionalObjectArray("applications");
        if (TofClusterRules.CountProblem(items.Count) is { } countProblem)
        {
            throw ControlRpcException.InvalidParams(p.Field("applications"), countProblem);
        }

        var applications = new List<TofApplication>(items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            var item = items[i];
            item.AllowOnly("ip", "weight", "drain");
            string text = item.RequiredString("ip");
            if (!IpAddress.TryParse(text, out var address))
            {
                throw ControlRpcException.InvalidParams(item.Field("ip"), $"'{text}' is not an IPv4 address (a.b.c.d) or an IPv6 address (2001:db8::1)");
            }

            int weight = (int)(item.OptionalInteger("weight", 1, TofApplication.MaxWeight) ?? 1);
            applications.Add(new TofApplication(address, weight, item.OptionalBool("drain") ?? false));
            if (TofClusterRules.InstanceProblem(applications, i, serviceIp) is { } problem)
            {
                throw ControlRpcException.InvalidParams(item.Field(problem.Field), problem.Message);
            }
        }

        return applications;
    }

    /// <summary>
    /// Refuses (409) an application address of <paramref name="candidate"/> that is an instance of
    /// <paramref name="existing"/>, naming the field under <paramref name="path"/> (the service's params).
    /// </summary>
    public static void ThrowIfApplicationTaken(TofService existing, TofService candidate, string path)
    {
        ArgumentNullException.ThrowIfNull(existing);
        ArgumentNullException.ThrowIfNull(candidate);
        for (int i = 0; i < candidate.Applications.Count; i++)
        {
            var address = candidate.Applications[i].Ip;
            if (existing.IndexOf(address) >= 0)
            {
                string field = candidate.IsCluster ? $"{path}.applications[{i}].ip" : $"{path}.applicationIP";
                throw new ControlRpcException(JsonRpcErrorCodes.Conflict,
                    $"{field}: {address} is an application of '{existing.Name}'; an application belongs to one service");
            }
        }
    }

    private static Func<JsonNode?> DrainInstance(ControlContext context, ParamReader p)
    {
        p.AllowOnly("name", "ip");
        var table = context.RequireTofServices("service.drain");
        string name = p.RequiredString("name");
        string text = p.RequiredString("ip");
        if (!IpAddress.TryParse(text, out var address))
        {
            throw ControlRpcException.InvalidParams(p.Field("ip"), $"'{text}' is not an IPv4 address (a.b.c.d) or an IPv6 address (2001:db8::1)");
        }

        if (!table.TryGet(name, out var service))
        {
            throw new ControlRpcException(JsonRpcErrorCodes.NotFound, $"no service named '{name}'");
        }

        if (service.IndexOf(address) < 0 && !table.Retired(name).Contains(address))
        {
            throw ControlRpcException.InvalidParams(p.Field("ip"), $"{address} is no instance of '{name}', current or left out by an update and still carrying flows");
        }

        return () =>
        {
            if (!table.TryDrain(name, address, out var drained, out int moved, out string problem))
            {
                throw new ControlRpcException(JsonRpcErrorCodes.NotFound, problem);
            }

            return new JsonObject
            {
                ["service"] = TofMethods.Describe(drained),
                ["ip"] = address.ToString(),
                ["flowsMoved"] = moved,
            };
        };
    }
}
