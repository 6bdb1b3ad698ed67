using Dataplane.Forwarding.Counters;
using Dataplane.Ports.Pcap;

namespace Dataplane.Ports.Replay;

/// <summary>What a replay did: the summed counters, how long it took, and the capture error that stopped it, if any.</summary>
public sealed record ReplayResult(CounterSnapshot Counters, TimeSpan Elapsed, CaptureError? InputError)
{
    public bool Succeeded => InputError is null && Counters.IsConserved;
}
