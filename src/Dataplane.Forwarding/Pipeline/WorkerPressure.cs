using System.Runtime.CompilerServices;

namespace Dataplane.Forwarding.Pipeline;

/// <summary>
/// One worker's saturation figures (the S of USE, docs/metrics.md): receives that came back with a whole batch (the
/// port had at least as much waiting: the worker is behind), and per egress port the bursts the port took only in part
/// and the packets it refused (its transmit queue was full; they are dropped as TxQueueFull). Written by the worker
/// alone with plain increments, once per receive or per transmit burst, never per packet; read by the metrics
/// endpoint. The per-port arrays are sized when the worker is made (<see cref="TrackPorts"/>).
/// </summary>
public sealed class WorkerPressure
{
    private long fullReceives;
    private long[] refusedBursts = [];
    private long[] refusedPackets = [];

    /// <summary>Receives that filled the whole batch.</summary>
    public long FullReceives => Volatile.Read(ref fullReceives);

    /// <summary>Ports the per-port figures cover.</summary>
    public int Ports => Volatile.Read(ref refusedBursts).Length;

    /// <summary>Sizes the per-port figures for <paramref name="ports"/> ports (before the worker runs; not on the hot path).</summary>
    public void TrackPorts(int ports)
    {
        if (ports > refusedBursts.Length)
        {
            refusedPackets = new long[ports];
            Volatile.Write(ref refusedBursts, new long[ports]);
        }
    }

    /// <summary>Transmit bursts port <paramref name="port"/> took only in part.</summary>
    public long RefusedBursts(int port) => (uint)port < (uint)refusedBursts.Length ? Volatile.Read(ref refusedBursts[port]) : 0;

    /// <summary>Packets port <paramref name="port"/> refused.</summary>
    public long RefusedPackets(int port) => (uint)port < (uint)refusedPackets.Length ? Volatile.Read(ref refusedPackets[port]) : 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void CountReceive(int received, int capacity)
    {
        if (received >= capacity)
        {
            fullReceives++;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void CountRefused(int port, int refused)
    {
        if ((uint)port < (uint)refusedBursts.Length)
        {
            refusedBursts[port]++;
            refusedPackets[port] += refused;
        }
    }
}
