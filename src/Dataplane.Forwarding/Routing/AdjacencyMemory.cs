using System.Runtime.CompilerServices;
using Dataplane.Forwarding.Counters;

namespace Dataplane.Forwarding.Routing;

/// <summary>
/// The IPv4 adjacencies one worker's stage resolved in the current batch, by destination (direct-mapped), for an
/// <see cref="UnderlayResolver"/> to remember more than its last destination: a TOF batch's offloaded packets go to a
/// few applications and the replies to a few eNBs, interleaved, so the last destination alone resolved again on
/// almost every packet. Holds for one batch (<see cref="UnderlayResolver.For"/> starts a new one), as every per-batch
/// read of the FIB and the neighbours does. One per worker and stage: not shared between threads.
/// </summary>
public sealed class AdjacencyMemory
{
    private readonly uint[] destinations;
    private readonly long[] batches;
    private readonly DropReason[] results;
    private readonly Adjacency[] adjacencies;
    private readonly int shift;
    private long batch;

    /// <param name="entries">Slots, a power of two: enough for the distinct destinations a batch goes to.</param>
    public AdjacencyMemory(int entries = 16)
    {
        if (entries < 2 || !System.Numerics.BitOperations.IsPow2(entries))
        {
            throw new ArgumentOutOfRangeException(nameof(entries), entries, "a power of two, at least 2");
        }

        destinations = new uint[entries];
        batches = new long[entries];
        results = new DropReason[entries];
        adjacencies = new Adjacency[entries];
        shift = 32 - System.Numerics.BitOperations.Log2((uint)entries);
    }

    /// <summary>Forgets the previous batch's adjacencies.</summary>
    internal void BeginBatch() => batch++;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryGet(uint destination, out DropReason result, out Adjacency adjacency)
    {
        int i = Slot(destination);
        if (batches[i] == batch && destinations[i] == destination)
        {
            result = results[i];
            adjacency = adjacencies[i];
            return true;
        }

        result = default;
        adjacency = default;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Put(uint destination, DropReason result, in Adjacency adjacency)
    {
        int i = Slot(destination);
        destinations[i] = destination;
        batches[i] = batch;
        results[i] = result;
        adjacencies[i] = adjacency;
    }

    private int Slot(uint destination) => (int)((destination * 0x9E3779B1u) >> shift);
}
