using System.Runtime.CompilerServices;
using Dataplane.Forwarding.Counters;

namespace Dataplane.Forwarding.Nsh;

/// <summary>
/// What one service path carried: packets and bytes sent to a function of it (classified onto it or forwarded along
/// it), and packets that left it at its end (routed or dropped). Each worker counts on its own cache line; summed when read.
/// </summary>
public sealed class NshPathCounters(int workers)
{
    private const int PacketField = 0, ByteField = 1, EndField = 2;

    private readonly PerWorkerCounters counts = new(workers, 3);

    /// <summary>Packets sent to a function of the path.</summary>
    public long Packets => counts.Sum(PacketField);

    /// <summary>Bytes of those packets as sent, outer headers included.</summary>
    public long Bytes => counts.Sum(ByteField);

    /// <summary>Packets that reached the end of the path.</summary>
    public long Ended => counts.Sum(EndField);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountSent(int worker, int bytes)
    {
        counts.Add(worker, PacketField, 1);
        counts.Add(worker, ByteField, bytes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountEnded(int worker) => counts.Add(worker, EndField, 1);
}
