using System.Text.Json.Nodes;
using Dataplane.Control.Socket;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Tof;
using Dataplane.Tables.Time;

namespace Dataplane.Fuzz.Targets;

/// <summary>
/// A forwarding plane for the control-socket and REST targets to act on: the golden ITR configuration (instance 7
/// behind port 0, RLOCs behind port 1) plus one GTP-U tunnel and an empty ToF service table, on a manual clock.
/// </summary>
public static class ScratchControlPlane
{
    /// <summary>The configuration as JSON, for callers that tweak it (the control tests do).</summary>
    public static JsonObject ConfigJson(string repositoryRoot)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(repositoryRoot, "pcaps", "golden", "itr-v4-over-v4", "config.json")))!.AsObject();
        config["roles"] = new JsonArray("itr", "gtpu");
        config["gtpu"] = new JsonObject
        {
            ["tunnels"] = new JsonArray(new JsonObject
            {
                ["name"] = "ue1",
                ["localAddress"] = "192.0.2.1",
                ["peerAddress"] = "192.0.2.10",
                ["teidIn"] = 256,
                ["teidOut"] = 512,
                ["ueAddress"] = "10.45.0.2",
            }),
        };
        return config;
    }

    /// <summary>The control methods over a fresh plane built from <paramref name="config"/>.</summary>
    public static ControlMethods Methods(DataplaneConfig config)
    {
        var plane = ForwardingPlaneBuilder.Build(config, new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000) });
        var methods = new ControlMethods(plane);
        methods.Context.TofServices = new TofServiceTable();
        return methods;
    }

    /// <summary>The control methods over a fresh plane with the configuration of <see cref="ConfigJson"/>.</summary>
    public static ControlMethods Methods(string repositoryRoot) =>
        Methods(DataplaneConfigFile.Parse(ConfigJson(repositoryRoot).ToJsonString()));
}
