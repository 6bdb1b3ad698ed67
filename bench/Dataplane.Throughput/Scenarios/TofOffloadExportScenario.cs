using Dataplane.Forwarding.Configuration;

namespace Dataplane.Throughput.Scenarios;

/// <summary>
/// <see cref="TofOffloadScenario"/> with <c>flowExport</c> configured: every offloaded flow also counts its own
/// packets and bytes (the per-packet cost of flow export; the exporter itself runs on the control thread, not here).
/// </summary>
public sealed class TofOffloadExportScenario : TofOffloadVariant
{
    public override string Name => "tof-offload-export";

    public override string Description => "TOF offload as tof-offload, with flowExport on: each flow counts its own packets and bytes";

    public override DataplaneConfig Configuration(ScenarioSettings settings) =>
        Offload.Configuration(settings) with { FlowExport = new FlowExportConfig { Collector = "127.0.0.1:4739" } };
}
