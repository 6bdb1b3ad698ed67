using System.Text.Json.Nodes;
using Dataplane.Control.GtpU;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.GtpU;
using Dataplane.Tables.Gtp;

namespace Dataplane.Control.Socket;

/// <summary>tunnel.*: GTP-U tunnels, with the fields and checks of the "gtpu" section's tunnels.</summary>
public static class TunnelMethods
{
    public static IEnumerable<ControlMethod> Create(ControlContext context)
    {
        yield return new ControlMethod("tunnel.add", true, p => Add(context, p))
        {
            Summary = "Add or replace (same name) a GTP-U tunnel, with the fields of a gtpu.tunnels entry.",
            Parameters =
            [
                ControlParameter.Mandatory("name", ControlParameterType.String, "the tunnel's name", "ue-9"),
                ControlParameter.Mandatory("localAddress", ControlParameterType.Address, "our end: an address of a port", "192.0.2.1"),
                ControlParameter.Mandatory("peerAddress", ControlParameterType.Address, "the peer's address", "192.0.2.10"),
                ControlParameter.Mandatory("teidIn", ControlParameterType.Integer, "TEID of packets arriving on the tunnel (not 0)", 900),
                ControlParameter.Mandatory("teidOut", ControlParameterType.Integer, "TEID put on packets sent into the tunnel (not 0)", 901),
                ControlParameter.Mandatory("ueAddress", ControlParameterType.String, "the UE's address or prefix", "10.45.9.0/24"),
                ControlParameter.Optional("instanceId", ControlParameterType.Integer, "routing instance of the inner packets; default 0", 0),
                ControlParameter.Optional("qfi", ControlParameterType.Integer, "QoS flow identifier (0..63) put in the PDU session container", 9),
            ],
        };
        yield return new ControlMethod("tunnel.remove", true, p =>
        {
            p.AllowOnly("name");
            var table = context.RequireTunnels("tunnel.remove");
            string name = p.RequiredString("name");
            var tunnel = table.Snapshot.Tunnels.FirstOrDefault(t => t.Name == name)
                ?? throw ControlRpcException.InvalidParams(p.Field("name"), $"no tunnel named '{name}'");
            return () => new JsonObject { ["name"] = name, ["removed"] = table.Remove(tunnel.Key) };
        })
        {
            Summary = "Remove a GTP-U tunnel by name.",
            Parameters =
            [
                ControlParameter.Mandatory("name", ControlParameterType.String, "the tunnel's name", "ue-9"),
            ],
        };
        yield return new ControlMethod("tunnel.list", false, p =>
        {
            p.AllowOnly();
            var table = context.RequireTunnels("tunnel.list");
            return () => new JsonArray(List(table).ToArray());
        })
        {
            Summary = "The GTP-U tunnels sorted by name, in the shape tunnel.add takes.",
        };
        yield return new ControlMethod("tunnel.peers", false, p =>
        {
            p.AllowOnly();
            context.RequireTunnels("tunnel.peers");
            var supervisor = context.GtpUPaths;
            return () => new JsonArray((supervisor?.Peers ?? []).Select(Peer).ToArray());
        })
        {
            Summary = "The GTP-U paths that Echo Requests supervise, with their state (unknown, up, down) and round trip.",
        };
    }

    /// <summary>One GTP-U path as Echo Requests see it (see <see cref="GtpUPathSupervisor"/>).</summary>
    private static JsonNode Peer(GtpUPeerStatus peer) => new JsonObject
    {
        ["localAddress"] = peer.Local.ToString(),
        ["peerAddress"] = peer.Peer.ToString(),
        ["state"] = peer.State.ToString().ToLowerInvariant(),
        ["echoesSent"] = peer.EchoesSent,
        ["echoesAnswered"] = peer.EchoesAnswered,
        ["missedInARow"] = peer.MissedInARow,
        ["restartCounter"] = peer.RestartCounter is { } counter ? counter : null,
        ["restarts"] = peer.Restarts,
        ["lastRttMilliseconds"] = peer.LastRttMilliseconds,
    };

    /// <summary>Tunnels by name, each in the shape tunnel.add takes.</summary>
    public static IEnumerable<JsonNode> List(GtpUTunnelTable table) =>
        table.Snapshot.Tunnels.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => (JsonNode)new JsonObject
        {
            ["name"] = t.Name,
            ["localAddress"] = t.Local.ToString(),
            ["peerAddress"] = t.Peer.ToString(),
            ["teidIn"] = t.TeidIn,
            ["teidOut"] = t.TeidOut,
            ["ueAddress"] = t.IsHostRoute ? t.UePrefix.Address.ToString() : $"{t.UePrefix.Address}/{t.UePrefix.PrefixLength}",
            ["instanceId"] = t.InstanceId,
            ["qfi"] = t.Qfi,
        });

    private static Func<JsonNode?> Add(ControlContext context, ParamReader p)
    {
        p.AllowOnly("name", "localAddress", "peerAddress", "teidIn", "teidOut", "ueAddress", "instanceId", "qfi");
        var table = context.RequireTunnels("tunnel.add");
        var config = new GtpUTunnelConfig
        {
            Name = p.RequiredString("name"),
            LocalAddress = p.RequiredString("localAddress"),
            PeerAddress = p.RequiredString("peerAddress"),
            TeidIn = (uint)p.RequiredInteger("teidIn", 0, uint.MaxValue),
            TeidOut = (uint)p.RequiredInteger("teidOut", 0, uint.MaxValue),
            UeAddress = p.RequiredString("ueAddress"),
            InstanceId = (uint)(p.OptionalInteger("instanceId", 0, uint.MaxValue) ?? 0),
            Qfi = (byte?)p.OptionalInteger("qfi", 0, 255),
        };
        var tunnel = ControlContext.Checked(() => GtpUFeature.ReadTunnel(config, "params", context.Plane.LocalAddresses));

        // The checks the config reader makes across tunnels, against the live table: a tunnel of another name must not
        // hold the same receive key or serve the same UE prefix.
        GtpUTunnel? sameName = null;
        foreach (var other in table.Snapshot.Tunnels)
        {
            if (other.Name == tunnel.Name)
            {
                sameName = other;
                continue;
            }

            if (other.Key == tunnel.Key)
            {
                throw ControlRpcException.InvalidParams("params.teidIn", $"tunnel '{other.Name}' already has peerAddress {tunnel.Peer}, localAddress {tunnel.Local} and teidIn {tunnel.TeidIn}");
            }

            if (other.UePrefix == tunnel.UePrefix)
            {
                throw ControlRpcException.InvalidParams("params.ueAddress", $"tunnel '{other.Name}' already serves {tunnel.UePrefix}");
            }
        }

        return () =>
        {
            if (sameName is null)
            {
                table.AddOrReplace(tunnel);
            }
            else
            {
                table.Replace(sameName.Key, tunnel);
            }

            return new JsonObject { ["name"] = tunnel.Name, ["replaced"] = sameName is not null };
        };
    }
}
