using System.Runtime.CompilerServices;
using Dataplane.Forwarding.Counters;

namespace Dataplane.Forwarding.Tof;

/// <summary>Traffic of one service (by name), per direction; each worker counts on its own cache line, summed when read.</summary>
public sealed class TofServiceCounters(int workers)
{
    private const int UplinkPacketField = 0, UplinkByteField = 1, DownlinkPacketField = 2, DownlinkByteField = 3;

    private readonly PerWorkerCounters counts = new(workers, 4);

    /// <summary>Packets offloaded from UEs to the application.</summary>
    public long UplinkPackets => counts.Sum(UplinkPacketField);

    public long UplinkBytes => counts.Sum(UplinkByteField);

    /// <summary>Application replies sent back into UE tunnels.</summary>
    public long DownlinkPackets => counts.Sum(DownlinkPacketField);

    public long DownlinkBytes => counts.Sum(DownlinkByteField);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountUplink(int worker, int bytes)
    {
        counts.Add(worker, UplinkPacketField, 1);
        counts.Add(worker, UplinkByteField, bytes);
    }

    internal void CountDownlink(int worker, int bytes)
    {
        counts.Add(worker, DownlinkPacketField, 1);
        counts.Add(worker, DownlinkByteField, bytes);
    }
}
