namespace Dataplane.Ports.Replay;

/// <summary>Where a replay's packets go and what it reports besides its counters.</summary>
public sealed class ReplayOutputs
{
    /// <summary>Transmitted packets, each on its egress port.</summary>
    public required IReplayCaptureWriter Transmitted { get; init; }

    /// <summary>Packets punted to the control plane, each on its ingress port; null to discard them.</summary>
    public IReplayCaptureWriter? Punted { get; init; }

    /// <summary>
    /// Dropped packets, each on its ingress port with a comment naming its drop reason, the stage that dropped it and
    /// its place in the input; null for none (then the stages are not watched at all).
    /// </summary>
    public IReplayCaptureWriter? Drops { get; init; }

    /// <summary>How many of the first input packets to trace through the stages (<see cref="Trace"/>).</summary>
    public int TraceCount { get; init; }

    /// <summary>Receives each traced packet's path, in input order.</summary>
    public Action<PacketTrace>? Trace { get; init; }
}
