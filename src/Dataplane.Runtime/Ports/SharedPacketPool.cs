using Dataplane.Forwarding.Buffers;

namespace Dataplane.Runtime.Ports;

/// <summary>
/// The buffers of a copying port (capture file, libpcap, the injection port): the port allocates on its own thread,
/// but whichever worker transmits a packet frees it, so every use of the (single-threaded) <see cref="PacketPool"/>
/// goes through one lock. Not for the hot path of zero-copy ports, which own their rings.
/// </summary>
public sealed class SharedPacketPool(int bufferCount, int frameCapacity = PacketPool.DefaultFrameCapacity, int headroom = PacketPool.DefaultHeadroom)
    : IDisposable
{
    private readonly PacketPool pool = new(bufferCount, frameCapacity, headroom);
    private readonly Lock gate = new();

    /// <summary>The pool itself, for a reader bound to it at creation that allocates only inside <see cref="Use"/>.</summary>
    public PacketPool Pool => pool;

    /// <summary>A buffer holding a copy of <paramref name="frame"/>; false when the pool is empty or the frame too large.</summary>
    public bool TryCopyIn(ReadOnlySpan<byte> frame, out PacketDescriptor packet)
    {
        packet = default;
        lock (gate)
        {
            if (frame.Length > pool.FrameCapacity || !pool.TryAllocate(ref packet))
            {
                return false;
            }
        }

        packet.TrySetLength(frame.Length);
        frame.CopyTo(packet.Data);
        return true;
    }

    /// <summary>
    /// Runs <paramref name="work"/> under the lock (a capture reader filling a batch from the pool). Pass what it
    /// needs as <paramref name="state"/> and a static lambda, so a call per batch allocates nothing.
    /// </summary>
    public T Use<TState, T>(TState state, Func<TState, T> work)
    {
        lock (gate)
        {
            return work(state);
        }
    }

    public void Free(ref PacketDescriptor packet)
    {
        lock (gate)
        {
            pool.Free(ref packet);
        }
    }

    /// <summary>Buffers taken and not freed yet (read without the lock: a moment old at worst).</summary>
    public int InUse => pool.BufferCount - pool.Available;

    public int Capacity => pool.BufferCount;

    public void Dispose() => pool.Dispose();
}
