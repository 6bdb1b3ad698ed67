using System.Text.Json.Nodes;
using Dataplane.Forwarding.Configuration;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Control;

/// <summary>The golden ITR configuration (instance 7 behind port 0, RLOCs behind port 1) plus one GTP-U tunnel, as JSON to tweak.</summary>
public static class ControlTestConfig
{
    public static JsonObject Json()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "pcaps", "golden", "itr-v4-over-v4", "config.json")))!.AsObject();
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

    public static DataplaneConfig Config() => DataplaneConfigFile.Parse(Json().ToJsonString());
}
