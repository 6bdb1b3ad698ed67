using System.Runtime.CompilerServices;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Routing;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// The adjacencies a TOF worker resolved in the current batch, by IPv4 destination (direct-mapped, 16 entries): the
/// offloaded packets of a batch go to a few applications and the replies to a few eNBs, interleaved, so remembering
/// only the last destination (<see cref="UnderlayResolver"/>) resolves again on almost every packet. Holds for one
/// batch, as every per-batch read of the FIB and the neighbours does.
/// </summary>
internal sealed class TofBatchAdjacencies
{
    private const int Entries = 16;

    private readonly uint[] destinations = new uint[Entries];
    private readonly long[] batches = new long[Entries];
    private readonly DropReason[] results = new DropReason[Entries];
    private readonly Adjacency[] adjacencies = new Adjacency[Entries];
    private long batch;

    /// <summary>Forgets the previous batch's adjacencies.</summary>
    public void Begin() => batch++;

    /// <summary>What <paramref name="underlay"/> resolves for <paramref name="destination"/>, at most once per destination and batch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public DropReason Resolve(ref UnderlayResolver underlay, Ipv4Address destination, out Adjacency adjacency)
    {
        uint value = destination.Value;
        int i = (int)((value * 0x9E3779B1u) >> 28);
        if (batches[i] != batch || destinations[i] != value)
        {
            results[i] = underlay.Resolve(destination, out adjacencies[i]);
            destinations[i] = value;
            batches[i] = batch;
        }

        adjacency = adjacencies[i];
        return results[i];
    }
}
