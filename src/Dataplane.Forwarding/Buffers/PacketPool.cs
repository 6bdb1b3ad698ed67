using System.Runtime.InteropServices;

namespace Dataplane.Forwarding.Buffers;

/// <summary>
/// A fixed set of equal packet buffers carved from one 64-byte aligned native slab, each with
/// headroom in front of the frame so encapsulation can prepend outer headers in place.
/// </summary>
/// <remarks>
/// <para>
/// Allocation and free are O(1) and allocate nothing on the GC heap: free buffers are a stack
/// of indices in native memory. A descriptor's <see cref="PacketDescriptor.Owner"/> is its
/// buffer index.
/// </para>
/// <para>
/// Not thread-safe, by design: each worker owns its pool (like a per-lcore mempool cache), so
/// the hot path pays for no interlocked operation. A buffer handed to another worker must come
/// back to the owner to be freed.
/// </para>
/// </remarks>
public sealed unsafe class PacketPool : IDisposable
{
    /// <summary>Headroom a buffer keeps in front of the frame unless told otherwise (like RTE_PKTMBUF_HEADROOM).</summary>
    public const int DefaultHeadroom = 128;

    /// <summary>Frame bytes a buffer holds unless told otherwise: a 1500-byte MTU frame plus tags, rounded.</summary>
    public const int DefaultFrameCapacity = 2048;

    private const int Alignment = 64;

    private byte* _slab;
    private int* _freeStack;
    // One byte per buffer, 1 while handed out: catches double frees and foreign descriptors
    // for the price of a load, which is far cheaper than the corruption it prevents.
    private byte* _inUse;
    private int _freeCount;

    /// <param name="bufferCount">Number of buffers.</param>
    /// <param name="frameCapacity">Largest frame a buffer holds, after the headroom.</param>
    /// <param name="headroom">Bytes kept free in front of each frame; at least <see cref="DefaultHeadroom"/>.</param>
    public PacketPool(int bufferCount, int frameCapacity = DefaultFrameCapacity, int headroom = DefaultHeadroom)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bufferCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameCapacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(headroom, DefaultHeadroom);
        // Header offsets in the descriptor are ushort, so a buffer must stay below 64 KiB.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(headroom + frameCapacity, ushort.MaxValue);

        BufferCount = bufferCount;
        Headroom = headroom;
        FrameCapacity = frameCapacity;
        // Round each buffer up to a cache line so every frame start shares the slab's alignment.
        BufferSize = (headroom + frameCapacity + Alignment - 1) & ~(Alignment - 1);

        _slab = (byte*)NativeMemory.AlignedAlloc((nuint)BufferSize * (nuint)bufferCount, Alignment);
        _freeStack = (int*)NativeMemory.Alloc((nuint)bufferCount, sizeof(int));
        _inUse = (byte*)NativeMemory.AllocZeroed((nuint)bufferCount);
        // Lowest index on top, so a fresh pool hands buffers out in slab order.
        for (var i = 0; i < bufferCount; i++)
        {
            _freeStack[i] = bufferCount - 1 - i;
        }
        _freeCount = bufferCount;
    }

    /// <summary>Buffers in the pool.</summary>
    public int BufferCount { get; }

    /// <summary>Bytes each buffer occupies in the slab (headroom + frame capacity, rounded to 64).</summary>
    public int BufferSize { get; }

    /// <summary>Headroom a fresh buffer has in front of the frame.</summary>
    public int Headroom { get; }

    /// <summary>Largest frame a fresh buffer holds after its headroom.</summary>
    public int FrameCapacity { get; }

    /// <summary>Buffers currently free.</summary>
    public int Available => _freeCount;

    /// <summary>
    /// Takes a buffer and points <paramref name="packet"/> at it: empty frame starting after the
    /// headroom, metadata cleared. False when the pool is exhausted; the descriptor is untouched.
    /// </summary>
    public bool TryAllocate(ref PacketDescriptor packet)
    {
        ObjectDisposedException.ThrowIf(_slab == null, this);
        if (_freeCount == 0)
        {
            return false;
        }
        var index = _freeStack[--_freeCount];
        _inUse[index] = 1;
        packet.Attach(_slab + (nint)index * BufferSize, BufferSize, Headroom, 0, index);
        return true;
    }

    /// <summary>
    /// Allocates one buffer into each descriptor of <paramref name="packets"/>, all or nothing
    /// (like <c>rte_pktmbuf_alloc_bulk</c>): false, and nothing taken, if fewer are free.
    /// </summary>
    public bool TryAllocateBulk(Span<PacketDescriptor> packets)
    {
        ObjectDisposedException.ThrowIf(_slab == null, this);
        if (packets.Length > _freeCount)
        {
            return false;
        }
        for (var i = 0; i < packets.Length; i++)
        {
            var index = _freeStack[--_freeCount];
            _inUse[index] = 1;
            packets[i].Attach(_slab + (nint)index * BufferSize, BufferSize, Headroom, 0, index);
        }
        return true;
    }

    /// <summary>
    /// Returns the buffer behind <paramref name="packet"/> to the pool and clears the descriptor.
    /// Throws on a descriptor this pool did not hand out or a buffer already freed: both are bugs
    /// in the caller, not conditions of the traffic.
    /// </summary>
    public void Free(ref PacketDescriptor packet)
    {
        ObjectDisposedException.ThrowIf(_slab == null, this);
        var index = packet.Owner;
        if ((nuint)index >= (nuint)BufferCount || packet.Buffer != _slab + index * BufferSize)
        {
            throw new ArgumentException("The descriptor does not point at a buffer of this pool.", nameof(packet));
        }
        if (_inUse[index] == 0)
        {
            throw new InvalidOperationException($"Buffer {index} is freed twice.");
        }
        _inUse[index] = 0;
        _freeStack[_freeCount++] = (int)index;
        packet = default;
    }

    /// <summary>Frees every descriptor in <paramref name="packets"/>.</summary>
    public void FreeBulk(Span<PacketDescriptor> packets)
    {
        for (var i = 0; i < packets.Length; i++)
        {
            Free(ref packets[i]);
        }
    }

    /// <summary>Frees every packet of <paramref name="batch"/> and empties it.</summary>
    public void Free(PacketBatch batch)
    {
        FreeBulk(batch.AsSpan());
        batch.Clear();
    }

    /// <summary>Releases the slab. Descriptors still pointing into it become dangling: free them first.</summary>
    public void Dispose()
    {
        if (_slab == null)
        {
            return;
        }
        NativeMemory.AlignedFree(_slab);
        NativeMemory.Free(_freeStack);
        NativeMemory.Free(_inUse);
        _slab = null;
        _freeStack = null;
        _inUse = null;
        _freeCount = 0;
        GC.SuppressFinalize(this);
    }

    // The slab is native memory: without a finaliser a forgotten Dispose would leak it for the
    // life of the process.
    ~PacketPool()
    {
        Dispose();
    }
}
