namespace Dataplane.Forwarding.Tof;

/// <summary>Traffic of one service (by name), per direction; workers add with interlocked increments.</summary>
public sealed class TofServiceCounters
{
    internal long UplinkPacketCount;
    internal long UplinkByteCount;
    internal long DownlinkPacketCount;
    internal long DownlinkByteCount;

    /// <summary>Packets offloaded from UEs to the application.</summary>
    public long UplinkPackets => Volatile.Read(ref UplinkPacketCount);

    public long UplinkBytes => Volatile.Read(ref UplinkByteCount);

    /// <summary>Application replies sent back into UE tunnels.</summary>
    public long DownlinkPackets => Volatile.Read(ref DownlinkPacketCount);

    public long DownlinkBytes => Volatile.Read(ref DownlinkByteCount);

    internal void CountUplink(int bytes)
    {
        Interlocked.Increment(ref UplinkPacketCount);
        Interlocked.Add(ref UplinkByteCount, bytes);
    }

    internal void CountDownlink(int bytes)
    {
        Interlocked.Increment(ref DownlinkPacketCount);
        Interlocked.Add(ref DownlinkByteCount, bytes);
    }
}
