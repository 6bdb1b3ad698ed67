using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;

namespace Dataplane.Throughput.Scenarios;

/// <summary>
/// A scenario that is <see cref="TofOffloadScenario"/> with one feature added to its configuration: the same frames,
/// ports and expected event, so the difference in the same run is what that feature costs per packet.
/// </summary>
public abstract class TofOffloadVariant : IScenario
{
    /// <summary>The scenario this one varies: its frames, ports and configuration.</summary>
    protected TofOffloadScenario Offload { get; } = new();

    public abstract string Name { get; }

    public abstract string Description { get; }

    public int MinimumFrameLength => Offload.MinimumFrameLength;

    public ushort IngressPort => Offload.IngressPort;

    public ushort EgressPort => Offload.EgressPort;

    public ForwardingEvent Event => Offload.Event;

    public int LengthChange => Offload.LengthChange;

    public abstract DataplaneConfig Configuration(ScenarioSettings settings);

    public void Populate(ForwardingPlane plane, ScenarioSettings settings) => Offload.Populate(plane, settings);

    public void WriteFrame(Span<byte> frame, int index, ScenarioSettings settings) => Offload.WriteFrame(frame, index, settings);
}
