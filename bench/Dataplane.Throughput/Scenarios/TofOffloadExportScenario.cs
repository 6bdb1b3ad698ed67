using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;

namespace Dataplane.Throughput.Scenarios;

/// <summary>
/// <see cref="TofOffloadScenario"/> with <c>flowExport</c> configured: every offloaded flow also counts its own
/// packets and bytes (the per-packet cost of flow export; the exporter itself runs on the control thread, not here).
/// </summary>
public sealed class TofOffloadExportScenario : IScenario
{
    private readonly TofOffloadScenario offload = new();

    public string Name => "tof-offload-export";

    public string Description => "TOF offload as tof-offload, with flowExport on: each flow counts its own packets and bytes";

    public int MinimumFrameLength => offload.MinimumFrameLength;

    public ushort IngressPort => offload.IngressPort;

    public ushort EgressPort => offload.EgressPort;

    public ForwardingEvent Event => offload.Event;

    public int LengthChange => offload.LengthChange;

    public DataplaneConfig Configuration(ScenarioSettings settings) =>
        offload.Configuration(settings) with { FlowExport = new FlowExportConfig { Collector = "127.0.0.1:4739" } };

    public void Populate(ForwardingPlane plane, ScenarioSettings settings) => offload.Populate(plane, settings);

    public void WriteFrame(Span<byte> frame, int index, ScenarioSettings settings) => offload.WriteFrame(frame, index, settings);
}
