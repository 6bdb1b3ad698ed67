using System.Text.Json.Nodes;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;

namespace Dataplane.Control.Socket;

/// <summary>neighbour.*: static next hops beside the ones ARP / ND learn.</summary>
public static class NeighbourMethods
{
    public static IEnumerable<ControlMethod> Create(ControlContext context)
    {
        var table = context.Plane.Neighbours;
        yield return new ControlMethod("neighbour.add", true, p =>
        {
            p.AllowOnly("address", "mac", "port");
            var address = p.RequiredAddress("address");
            var mac = ControlContext.Checked(() => ConfigValues.Mac(p.RequiredString("mac"), p.Field("mac")));
            var port = ControlContext.Checked(() => ForwardingPlaneBuilder.PortNamed(context.Plane.Ports, p.RequiredString("port"), p.Field("port")));
            return () =>
            {
                bool replaced = table.TryGet(address, out _);
                table.AddOrReplaceStatic(address, new Neighbour(mac, port.Id));
                return new JsonObject { ["address"] = address.ToString(), ["replaced"] = replaced };
            };
        })
        {
            Summary = "Add or replace a static neighbour (next hop): it replaces a learned entry and never ages.",
            Parameters =
            [
                ControlParameter.Mandatory("address", ControlParameterType.Address, "the neighbour's IP address", "192.0.2.250"),
                ControlParameter.Mandatory("mac", ControlParameterType.Mac, "its MAC address", "02:00:00:00:fa:01"),
                ControlParameter.Mandatory("port", ControlParameterType.String, "the port it is reached on, by name", "wan"),
            ],
        };
        yield return new ControlMethod("neighbour.remove", true, p =>
        {
            p.AllowOnly("address");
            var address = p.RequiredAddress("address");
            if (!table.TryGet(address, out _))
            {
                throw ControlRpcException.InvalidParams(p.Field("address"), $"no neighbour {address}");
            }

            if (table.IsLearned(address, out _))
            {
                throw ControlRpcException.InvalidParams(p.Field("address"), $"{address} is learned, not static; it ages out by itself");
            }

            return () => new JsonObject { ["address"] = address.ToString(), ["removed"] = table.RemoveStatic(address) };
        })
        {
            Summary = "Remove a static neighbour (a learned one ages out by itself).",
            Parameters =
            [
                ControlParameter.Mandatory("address", ControlParameterType.Address, "the neighbour's IP address", "192.0.2.250"),
            ],
        };
        yield return new ControlMethod("neighbour.list", false, p =>
        {
            p.AllowOnly();
            return () => new JsonArray(List(context, staticOnly: false).ToArray());
        })
        {
            Summary = "Static and learned neighbours, sorted by address, with the age of learned ones.",
        };
    }

    /// <summary>Neighbours by address; learned ones carry their age in seconds, static ones null.</summary>
    public static IEnumerable<JsonNode> List(ControlContext context, bool staticOnly)
    {
        var table = context.Plane.Neighbours;
        var clock = context.Clock;
        foreach (var (address, neighbour) in table.Snapshot.OrderBy(n => n.Key.Family).ThenBy(n => n.Key.Value))
        {
            bool learned = table.IsLearned(address, out long confirmedAt);
            if (staticOnly && learned)
            {
                continue;
            }

            string port = context.Plane.Ports.TryGet(neighbour.Port, out var info) ? info.Name : neighbour.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var node = new JsonObject { ["address"] = address.ToString(), ["mac"] = neighbour.Mac.ToString(), ["port"] = port };
            if (!staticOnly)
            {
                node["static"] = !learned;
                node["ageSeconds"] = learned ? Math.Max(0, (clock.Now - confirmedAt) / clock.Frequency) : null;
            }

            yield return node;
        }
    }

}
