using System.Text.Json.Nodes;
using Dataplane.Forwarding.Configuration;
using Dataplane.Fuzz.Targets;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Control;

/// <summary>The golden ITR configuration (instance 7 behind port 0, RLOCs behind port 1) plus one GTP-U tunnel, as JSON to tweak.</summary>
public static class ControlTestConfig
{
    public static JsonObject Json() => ScratchControlPlane.ConfigJson(RepositoryPaths.Root);

    public static DataplaneConfig Config() => DataplaneConfigFile.Parse(Json().ToJsonString());
}
