using Dataplane.Forwarding.Counters;
using Dataplane.Ports.Pcap;

namespace Dataplane.Ports.Replay;

/// <summary>What a replay did: the summed counters, packets per port, how long it took, and the capture error that stopped it, if any.</summary>
public sealed record ReplayResult(CounterSnapshot Counters, TimeSpan Elapsed, CaptureError? InputError)
{
    public bool Succeeded => InputError is null && Counters.IsConserved;

    /// <summary>Per configured port, in port order: packets read from the input into it and transmitted out of it.</summary>
    public IReadOnlyList<PortTraffic> Ports { get; init; } = [];
}

/// <summary>One port's share of a replay.</summary>
public sealed record PortTraffic(string Name, long Received, long Transmitted);
