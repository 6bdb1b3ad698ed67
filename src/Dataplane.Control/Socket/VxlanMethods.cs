using System.Text.Json.Nodes;
using Dataplane.Forwarding.Vxlan;
using Dataplane.Tables.Vxlan;
using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Socket;

/// <summary>
/// vxlan.list, read-only: the VNIs of the tables the workers read now, with their access ports, flood lists, static and
/// learned MACs. The methods that change them are in <see cref="VxlanTableMethods"/>.
/// </summary>
public static class VxlanMethods
{
    public static IEnumerable<ControlMethod> Create(ControlContext context)
    {
        yield return new ControlMethod("vxlan.list", false, p =>
        {
            p.AllowOnly();
            var tables = context.Vxlan ?? throw new ControlRpcException(JsonRpcErrorCodes.MethodNotFound, "vxlan.list: this data plane has no VXLAN tables (no role vtep)");
            return () => List(context, tables);
        })
        {
            Summary = "The VXLAN VNIs with their access ports, flood lists, static and learned MACs (the tables the workers read now).",
        };
    }

    private static JsonObject List(ControlContext context, VxlanTables tables)
    {
        var vnis = new JsonArray();
        var learned = tables.Macs.Entries();
        foreach (var domain in tables.Domains.OrderBy(d => d.Vni))
        {
            var learnedHere = learned.Where(l => l.Domain == domain.Index).OrderBy(l => l.Mac)
                .Select(l => (JsonNode)new JsonObject { ["mac"] = new MacAddress(l.Mac).ToString(), ["target"] = Target(tables, l.Entry), ["seenSecond"] = l.Entry.SeenSecond })
                .ToArray();
            vnis.Add(new JsonObject
            {
                ["vni"] = domain.Vni,
                ["kind"] = "l2",
                ["accessPorts"] = new JsonArray(domain.AccessPorts.Select(p => (JsonNode)PortName(context, p)).ToArray()),
                ["remoteVteps"] = new JsonArray(domain.RemoteVteps.Select(v => (JsonNode)tables.RemoteVteps[v].ToString()).ToArray()),
                ["staticMacs"] = new JsonArray(domain.StaticMacs.OrderBy(m => m.Key)
                    .Select(m => (JsonNode)new JsonObject { ["mac"] = new MacAddress(m.Key).ToString(), ["target"] = Target(tables, m.Value) }).ToArray()),
                ["learnedMacs"] = new JsonArray(learnedHere),
            });
        }

        foreach (var l3 in tables.L3Vnis.OrderBy(v => v.Vni))
        {
            vnis.Add(new JsonObject { ["vni"] = l3.Vni, ["kind"] = "l3", ["instanceId"] = l3.InstanceId, ["routerMac"] = l3.RouterMac.ToString(), ["gpe"] = l3.Gpe });
        }

        return new JsonObject { ["vnis"] = vnis };
    }

    private static string Target(VxlanTables tables, MacTableEntry entry) =>
        entry.IsRemote
            ? entry.Target < tables.RemoteVteps.Length ? $"vtep {tables.RemoteVteps[entry.Target]}" : $"vtep #{entry.Target}"
            : $"port {entry.Target}";

    private static string PortName(ControlContext context, ushort port) =>
        context.Plane.Ports.TryGet(port, out var info) ? info.Name : port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
