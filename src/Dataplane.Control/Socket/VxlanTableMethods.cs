using System.Text.Json.Nodes;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Vxlan;
using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Socket;

/// <summary>
/// vxlan.domain.add (add or replace) / remove (L2 VNIs), vxlan.vtep.add / remove (a VNI's flood list: the remote VTEPs it floods to and
/// learns behind, as <c>bridge fdb append 00:00:00:00:00:00 dst ...</c> does on Linux) and vxlan.mac.add / remove
/// (static MACs). Each change is made to the VTEP's "vxlan" section and checked by the same rules as the configuration
/// file, then the tables are rebuilt and published whole (<see cref="VxlanFeature.Update"/>); a refused change leaves
/// everything as it was. Additions keep the learned MACs; removals start them afresh, so none points at a VTEP or a
/// port that is gone (traffic floods until they are learned again).
/// </summary>
public static class VxlanTableMethods
{
    public static IEnumerable<ControlMethod> Create(ControlContext context)
    {
        yield return new ControlMethod("vxlan.domain.add", true, p => AddDomain(context, p))
        {
            Summary = "Add or replace whole a bridge domain (L2 VNI), with the fields of a vxlan.bridgeDomains entry.",
            Parameters =
            [
                ControlParameter.Mandatory("vni", ControlParameterType.Integer, "the VNI, 0..16777215", 5009),
                ControlParameter.Mandatory("ports", ControlParameterType.StringArray, "its access ports, by name", new JsonArray("lan2")),
                ControlParameter.Optional("remoteVteps", ControlParameterType.StringArray, "the flood list: remote VTEP addresses", new JsonArray("198.51.100.7")),
                ControlParameter.Optional("staticMacs", ControlParameterType.ObjectArray, "[{mac, vtep | port}]: MACs that never age or move", new JsonArray()),
                ControlParameter.Optional("agingSeconds", ControlParameterType.Integer, "seconds a learned MAC lives unseen, 1..1000000; default 300", 300),
            ],
        };
        yield return new ControlMethod("vxlan.domain.remove", true, p =>
        {
            p.AllowOnly("vni");
            var feature = Require(context, "vxlan.domain.remove");
            uint vni = Vni(p);
            int index = DomainIndex(feature.Config, vni, p);
            var changed = feature.Config with { BridgeDomains = [.. feature.Config.BridgeDomains.Where((_, i) => i != index)] };
            return Change(context, feature, changed, keepLearned: false, p, new JsonObject { ["vni"] = vni, ["removed"] = true });
        })
        {
            Summary = "Remove a bridge domain; the learned MACs start afresh.",
            Parameters =
            [
                ControlParameter.Mandatory("vni", ControlParameterType.Integer, "the VNI of the bridge domain", 5000),
            ],
        };
        yield return new ControlMethod("vxlan.vtep.add", true, p =>
        {
            p.AllowOnly("vni", "vtep");
            var feature = Require(context, "vxlan.vtep.add");
            uint vni = Vni(p);
            var vtep = p.RequiredAddress("vtep");
            int index = DomainIndex(feature.Config, vni, p);
            var domain = feature.Config.BridgeDomains[index];
            bool present = domain.RemoteVteps.Any(v => IpAddress.TryParse(v, out var a) && a == vtep);
            var changed = present ? feature.Config : WithDomain(feature.Config, index, domain with { RemoteVteps = [.. domain.RemoteVteps, vtep.ToString()] });
            return Change(context, feature, changed, keepLearned: true, p, new JsonObject { ["vni"] = vni, ["vtep"] = vtep.ToString(), ["added"] = !present });
        })
        {
            Summary = "Add a remote VTEP to a VNI's flood list.",
            Parameters =
            [
                ControlParameter.Mandatory("vni", ControlParameterType.Integer, "the VNI of the bridge domain", 5000),
                ControlParameter.Mandatory("vtep", ControlParameterType.Address, "the remote VTEP's address", "198.51.100.4"),
            ],
        };
        yield return new ControlMethod("vxlan.vtep.remove", true, p =>
        {
            p.AllowOnly("vni", "vtep");
            var feature = Require(context, "vxlan.vtep.remove");
            uint vni = Vni(p);
            var vtep = p.RequiredAddress("vtep");
            int index = DomainIndex(feature.Config, vni, p);
            var domain = feature.Config.BridgeDomains[index];
            if (!domain.RemoteVteps.Any(v => IpAddress.TryParse(v, out var a) && a == vtep))
            {
                throw ControlRpcException.InvalidParams(p.Field("vtep"), $"{vtep} is not in the flood list of VNI {vni}");
            }

            var statics = domain.StaticMacs.Where(m => m.Vtep is not null && IpAddress.TryParse(m.Vtep, out var a) && a == vtep).Select(m => m.Mac).ToList();
            if (statics.Count > 0)
            {
                throw ControlRpcException.InvalidParams(p.Field("vtep"), $"static MACs of VNI {vni} point at {vtep} ({string.Join(", ", statics)}): remove them first");
            }

            var changed = WithDomain(feature.Config, index, domain with
            {
                RemoteVteps = [.. domain.RemoteVteps.Where(v => !(IpAddress.TryParse(v, out var a) && a == vtep))],
            });
            return Change(context, feature, changed, keepLearned: false, p, new JsonObject { ["vni"] = vni, ["vtep"] = vtep.ToString(), ["removed"] = true });
        })
        {
            Summary = "Remove a remote VTEP from a VNI's flood list (no static MAC of the VNI may point at it).",
            Parameters =
            [
                ControlParameter.Mandatory("vni", ControlParameterType.Integer, "the VNI of the bridge domain", 5000),
                ControlParameter.Mandatory("vtep", ControlParameterType.Address, "the remote VTEP's address", "198.51.100.3"),
            ],
        };
        yield return new ControlMethod("vxlan.mac.add", true, p => AddMac(context, p))
        {
            Summary = "Add or replace a static MAC of a VNI, behind one of its remote VTEPs or on one of its access ports.",
            Parameters =
            [
                ControlParameter.Mandatory("vni", ControlParameterType.Integer, "the VNI of the bridge domain", 5000),
                ControlParameter.Mandatory("mac", ControlParameterType.Mac, "the MAC address", "02:00:00:00:00:07"),
                ControlParameter.Optional("vtep", ControlParameterType.Address, "the remote VTEP it is behind (vtep or port, not both)", "198.51.100.2"),
                ControlParameter.Optional("port", ControlParameterType.String, "the access port it is on, by name (vtep or port, not both)", null),
            ],
        };
        yield return new ControlMethod("vxlan.mac.remove", true, p =>
        {
            p.AllowOnly("vni", "mac");
            var feature = Require(context, "vxlan.mac.remove");
            uint vni = Vni(p);
            var mac = Mac(p);
            int index = DomainIndex(feature.Config, vni, p);
            var domain = feature.Config.BridgeDomains[index];
            if (!domain.StaticMacs.Any(m => SameMac(m.Mac, mac)))
            {
                throw ControlRpcException.InvalidParams(p.Field("mac"), $"VNI {vni} has no static MAC {mac}");
            }

            var changed = WithDomain(feature.Config, index, domain with { StaticMacs = [.. domain.StaticMacs.Where(m => !SameMac(m.Mac, mac))] });
            return Change(context, feature, changed, keepLearned: true, p, new JsonObject { ["vni"] = vni, ["mac"] = mac.ToString(), ["removed"] = true });
        })
        {
            Summary = "Remove a static MAC of a VNI.",
            Parameters =
            [
                ControlParameter.Mandatory("vni", ControlParameterType.Integer, "the VNI of the bridge domain", 5000),
                ControlParameter.Mandatory("mac", ControlParameterType.Mac, "the MAC address", "02:00:00:00:00:07"),
            ],
        };
    }

    /// <summary>Every L2 VNI in the shape vxlan.domain.add takes (sorted by VNI), for the state dump.</summary>
    public static JsonArray Domains(ControlContext context)
    {
        var domains = new JsonArray();
        if (context.Plane.Feature<VxlanFeature>() is not { } feature)
        {
            return domains;
        }

        foreach (var domain in feature.Config.BridgeDomains.OrderBy(d => d.Vni))
        {
            domains.Add(Describe(domain));
        }

        return domains;
    }

    /// <summary>One L2 VNI as vxlan.domain.add takes it.</summary>
    public static JsonObject Describe(BridgeDomainConfig domain) => new()
    {
        ["vni"] = domain.Vni,
        ["ports"] = new JsonArray(domain.Ports.Select(p => (JsonNode)p).ToArray()),
        ["remoteVteps"] = new JsonArray(domain.RemoteVteps.Select(v => (JsonNode)v).ToArray()),
        ["staticMacs"] = new JsonArray(domain.StaticMacs.Select(m => (JsonNode)new JsonObject { ["mac"] = m.Mac, ["vtep"] = m.Vtep, ["port"] = m.Port }).ToArray()),
        ["agingSeconds"] = domain.AgingSeconds,
    };

    private static Func<JsonNode?> AddDomain(ControlContext context, ParamReader p)
    {
        p.AllowOnly("vni", "ports", "remoteVteps", "staticMacs", "agingSeconds");
        var feature = Require(context, "vxlan.domain.add");
        uint vni = Vni(p);
        if (feature.Config.L3Vnis.Any(l => l.Vni == vni))
        {
            throw ControlRpcException.InvalidParams(p.Field("vni"), $"VNI {vni} is an L3 VNI");
        }

        var ports = p.OptionalStringArray("ports");
        if (ports.Count == 0)
        {
            throw ControlRpcException.InvalidParams(p.Field("ports"), "at least one access port is needed");
        }

        var domain = new BridgeDomainConfig
        {
            Vni = vni,
            Ports = ports,
            RemoteVteps = p.OptionalStringArray("remoteVteps"),
            StaticMacs = [.. p.OptionalObjectArray("staticMacs").Select(StaticMac)],
            AgingSeconds = (uint)(p.OptionalInteger("agingSeconds", 1, 1_000_000) ?? 300),
        };
        // An existing VNI is replaced whole (as tunnel.add does); what was learned in it may no longer hold.
        int existing = feature.Config.BridgeDomains.ToList().FindIndex(d => d.Vni == vni);
        var changed = existing < 0
            ? feature.Config with { BridgeDomains = [.. feature.Config.BridgeDomains, domain] }
            : WithDomain(feature.Config, existing, domain);
        return Change(context, feature, changed, keepLearned: existing < 0, p, new JsonObject { ["vni"] = vni, ["replaced"] = existing >= 0 });
    }

    private static Func<JsonNode?> AddMac(ControlContext context, ParamReader p)
    {
        p.AllowOnly("vni", "mac", "vtep", "port");
        var feature = Require(context, "vxlan.mac.add");
        uint vni = Vni(p);
        int index = DomainIndex(feature.Config, vni, p);
        var entry = StaticMac(p);
        var mac = Mac(p);
        var domain = feature.Config.BridgeDomains[index];
        bool replaced = domain.StaticMacs.Any(m => SameMac(m.Mac, mac));
        var changed = WithDomain(feature.Config, index, domain with { StaticMacs = [.. domain.StaticMacs.Where(m => !SameMac(m.Mac, mac)), entry] });
        return Change(context, feature, changed, keepLearned: true, p, new JsonObject { ["vni"] = vni, ["mac"] = mac.ToString(), ["replaced"] = replaced });
    }

    private static StaticMacConfig StaticMac(ParamReader p)
    {
        p.AllowOnly("vni", "mac", "vtep", "port");
        var mac = Mac(p);
        string? vtep = p.OptionalString("vtep");
        string? port = p.OptionalString("port");
        if ((vtep is null) == (port is null))
        {
            throw ControlRpcException.InvalidParams(p.Path, "give exactly one of vtep and port");
        }

        return new StaticMacConfig { Mac = mac.ToString(), Vtep = vtep, Port = port };
    }

    /// <summary>
    /// Checks the changed section by building its tables now (the configuration's rules, errors naming the field) and
    /// returns the step that publishes them; nothing changes when the check fails.
    /// </summary>
    private static Func<JsonNode?> Change(ControlContext context, VxlanFeature feature, VxlanConfig changed, bool keepLearned, ParamReader p, JsonObject result)
    {
        try
        {
            VxlanTablesBuilder.Build(changed, context.Plane.Ports, context.Plane.LocalAddresses);
        }
        catch (ConfigurationException e)
        {
            throw ControlRpcException.InvalidParams(p.Path, $"{e.Field}: {e.Problem}");
        }

        return () =>
        {
            feature.Update(changed, keepLearned);
            return result;
        };
    }

    private static VxlanFeature Require(ControlContext context, string method) =>
        context.Plane.Feature<VxlanFeature>()
        ?? throw new ControlRpcException(JsonRpcErrorCodes.MethodNotFound, $"{method}: this data plane has no VXLAN tables (no role vtep)");

    private static uint Vni(ParamReader p) => (uint)p.RequiredInteger("vni", 0, 0xFF_FFFF);

    private static MacAddress Mac(ParamReader p)
    {
        string text = p.RequiredString("mac");
        if (!MacAddress.TryParse(text, out var mac))
        {
            throw ControlRpcException.InvalidParams(p.Field("mac"), $"'{text}' is not a MAC address");
        }

        return mac;
    }

    private static bool SameMac(string text, MacAddress mac) => MacAddress.TryParse(text, out var other) && other == mac;

    private static int DomainIndex(VxlanConfig config, uint vni, ParamReader p)
    {
        for (int i = 0; i < config.BridgeDomains.Count; i++)
        {
            if (config.BridgeDomains[i].Vni == vni)
            {
                return i;
            }
        }

        throw ControlRpcException.InvalidParams(p.Field("vni"), config.L3Vnis.Any(l => l.Vni == vni)
            ? $"VNI {vni} is an L3 VNI, not a bridge domain"
            : $"no bridge domain with VNI {vni}");
    }

    private static VxlanConfig WithDomain(VxlanConfig config, int index, BridgeDomainConfig domain)
    {
        var domains = config.BridgeDomains.ToArray();
        domains[index] = domain;
        return config with { BridgeDomains = domains };
    }
}
