using System.Runtime.CompilerServices;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// One offloaded flow's own packets and bytes per direction, for the flow-export records (the service counters sum
/// all of a service's flows). Made only when flow export is configured (<see cref="TofFeature.CountFlowTraffic"/>), so
/// a node that exports nothing pays neither the memory nor the stores. Each worker adds to its own 32 octets, kept
/// 64 octets clear of any other worker's (and of the array's header), with plain stores: no line is shared between
/// cores and no update is lost; a worker made after the flow (its index past <c>workers</c>) adds with interlocked
/// operations to one overflow block. Summed by the control thread when it reads.
/// </summary>
public sealed class TofFlowTraffic
{
    private const int Fields = 4, Gap = 8, Stride = Fields + Gap;
    private const int UplinkPackets = 0, UplinkBytes = 1, DownlinkPackets = 2, DownlinkBytes = 3;

    private readonly long[] cells;
    private readonly int workers;

    /// <param name="workers">Workers that get a block of their own (at least 1).</param>
    /// <param name="learnedAt">Clock ticks (the plane's monotonic clock) of the flow's first packet.</param>
    public TofFlowTraffic(int workers, long learnedAt)
    {
        this.workers = Math.Max(1, workers);
        LearnedAt = learnedAt;
        cells = new long[Gap + ((this.workers + 1) * Stride)];
    }

    /// <summary>Clock ticks of the flow's first packet.</summary>
    public long LearnedAt { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountUplink(int worker, int bytes) => Add(worker, UplinkPackets, bytes);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountDownlink(int worker, int bytes) => Add(worker, DownlinkPackets, bytes);

    /// <summary>The flow's totals so far: (uplink packets, uplink bytes, downlink packets, downlink bytes).</summary>
    public (long UplinkPackets, long UplinkBytes, long DownlinkPackets, long DownlinkBytes) Read() =>
        (Sum(UplinkPackets), Sum(UplinkBytes), Sum(DownlinkPackets), Sum(DownlinkBytes));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Add(int worker, int packetField, int bytes)
    {
        if ((uint)worker < (uint)workers)
        {
            int at = Gap + (worker * Stride) + packetField;
            cells[at]++;
            cells[at + 1] += bytes;
        }
        else
        {
            int at = Gap + (workers * Stride) + packetField;
            Interlocked.Increment(ref cells[at]);
            Interlocked.Add(ref cells[at + 1], bytes);
        }
    }

    private long Sum(int field)
    {
        long total = 0;
        for (int block = 0; block <= workers; block++)
        {
            total += Volatile.Read(ref cells[Gap + (block * Stride) + field]);
        }

        return total;
    }
}
