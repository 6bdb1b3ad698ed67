using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;

namespace Dataplane.Throughput.Scenarios;

/// <summary>
/// One pipeline under test: its configuration, its tables, the frames that arrive, and what must become of every one
/// of them. A cell whose packets do anything else (drop, punt, another port, another length) fails: a figure never
/// measures a drop path.
/// </summary>
public interface IScenario
{
    string Name { get; }

    string Description { get; }

    /// <summary>The smallest frame (bytes in the buffer, without the FCS) whose headers fit; smaller sizes use it.</summary>
    int MinimumFrameLength { get; }

    /// <summary>The port every frame arrives on (index in the configuration's port list).</summary>
    ushort IngressPort { get; }

    /// <summary>The port every frame must leave by.</summary>
    ushort EgressPort { get; }

    /// <summary>The event every packet must count once (e.g. LispEncapsulated).</summary>
    ForwardingEvent Event { get; }

    /// <summary>Transmitted length minus received length: the encapsulation's overhead, or minus the decapsulation's.</summary>
    int LengthChange { get; }

    DataplaneConfig Configuration(ScenarioSettings settings);

    /// <summary>Fills the tables the configuration does not (e.g. the 1M-prefix map-cache).</summary>
    void Populate(ForwardingPlane plane, ScenarioSettings settings);

    /// <summary>Writes frame <paramref name="index"/> of the ring (0..ring-1) into <paramref name="frame"/> (its exact length).</summary>
    void WriteFrame(Span<byte> frame, int index, ScenarioSettings settings);
}
