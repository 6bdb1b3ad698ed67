using Dataplane.Forwarding.Stages;

namespace Dataplane.Forwarding.Buffers;

/// <summary>
/// One packet: where its bytes are and what we learned about them. A plain struct, kept in a
/// <see cref="PacketBatch"/> and passed by <c>ref</c>, never boxed.
/// </summary>
/// <remarks>
/// <para>
/// The descriptor does not own memory; it points at a buffer some port owns. It holds a raw
/// base pointer, the buffer capacity and the offset and length of the frame inside it: the same
/// three numbers as a DPDK <c>rte_mbuf</c> (<c>buf_addr</c>, <c>data_off</c>, <c>data_len</c>) or
/// an AF_PACKET TPACKET_V3 frame (block base, <c>tp_mac</c>, <c>tp_snaplen</c>). So a port can put
/// any of them behind a descriptor without copying the frame. <see cref="Owner"/> is an opaque
/// handle only the owning port interprets to give the buffer back: an index into a
/// <see cref="PacketPool"/>, an <c>rte_mbuf*</c>, a ring slot.
/// </para>
/// <para>
/// The space in front of the frame (<see cref="Headroom"/>) is where encapsulation writes new
/// outer headers in place (<see cref="TryPrepend"/>, like <c>rte_pktmbuf_prepend</c>);
/// decapsulation moves the start forward (<see cref="TryAdjust"/>). No path copies the payload.
/// </para>
/// <para>
/// Header offsets (<see cref="L2Offset"/> ...) count from the start of the buffer, not from the
/// start of the frame, so they stay valid when outer headers are prepended or stripped: the
/// bytes they point at do not move.
/// </para>
/// </remarks>
public unsafe struct PacketDescriptor
{
    private byte* _buffer;
    private int _capacity;
    private int _dataOffset;
    private int _length;

    /// <summary>Base of the buffer (<c>buf_addr</c>).</summary>
    public readonly byte* Buffer => _buffer;

    /// <summary>Bytes usable from <see cref="Buffer"/> onwards.</summary>
    public readonly int Capacity => _capacity;

    /// <summary>Where the frame starts inside the buffer (<c>data_off</c>); equals the headroom.</summary>
    public readonly int DataOffset => _dataOffset;

    /// <summary>Frame length in bytes (<c>data_len</c>).</summary>
    public readonly int Length => _length;

    /// <summary>Opaque handle the owning port uses to free the buffer (pool index, mbuf pointer ...).</summary>
    public nint Owner;

    /// <summary>Receive time, nanoseconds since the Unix epoch; 0 when the port gives none.</summary>
    public long Timestamp;

    /// <summary>Port the packet came in on.</summary>
    public ushort IngressPort;

    /// <summary>Whether the frame starts with Ethernet or IP.</summary>
    public FrameFormat Format;

    /// <summary>What classification found (Unclassified until then); stages that rewrite a packet update it.</summary>
    public PacketKind Kind;

    /// <summary>Classification flags; meaning defined by the pipeline.</summary>
    public byte Flags;

    /// <summary>Why the packet is dropped; 0 = not dropped. Codes belong to the pipeline's drop counters.</summary>
    public byte DropReason;

    /// <summary>What the pipeline decided: still pending, transmit on <see cref="EgressPort"/>, or punt to the control plane. A drop is <see cref="DropReason"/> instead.</summary>
    public PacketDisposition Disposition;

    /// <summary>Port to transmit on, once <see cref="Disposition"/> is <see cref="PacketDisposition.Transmit"/>.</summary>
    public ushort EgressPort;

    /// <summary>
    /// The instance ID (LISP) / VRF the packet's addresses belong to: set from the ingress port, or from the
    /// tunnel header when a decapsulation stage strips one, so later lookups use the right table.
    /// </summary>
    public uint InstanceId;

    /// <summary>Offset of the outer L2 header from <see cref="Buffer"/>; valid once <see cref="Kind"/> is set.</summary>
    public ushort L2Offset;

    /// <summary>Offset of the outer L3 header from <see cref="Buffer"/>.</summary>
    public ushort L3Offset;

    /// <summary>Offset of the outer L4 header from <see cref="Buffer"/>.</summary>
    public ushort L4Offset;

    /// <summary>Offset of the inner L3 header (after a tunnel header) from <see cref="Buffer"/>.</summary>
    public ushort InnerL3Offset;

    /// <summary>Offset of the inner L4 header from <see cref="Buffer"/>.</summary>
    public ushort InnerL4Offset;

    /// <summary>
    /// Points the descriptor at a buffer and clears all packet metadata. Ports call this when a
    /// frame arrives. The caller guarantees <c>0 &lt;= dataOffset</c> and
    /// <c>dataOffset + length &lt;= capacity</c>.
    /// </summary>
    public void Attach(byte* buffer, int capacity, int dataOffset, int length, nint owner)
    {
        this = default;
        _buffer = buffer;
        _capacity = capacity;
        _dataOffset = dataOffset;
        _length = length;
        Owner = owner;
    }

    /// <summary>
    /// Starts the same buffer over for a new frame of <paramref name="length"/> bytes at <paramref name="dataOffset"/>
    /// and clears all packet metadata, keeping the owner: what a port does when it reuses a buffer for a new
    /// arrival. The caller guarantees the frame fits the buffer.
    /// </summary>
    public void Reattach(int dataOffset, int length) => Attach(_buffer, _capacity, dataOffset, length, Owner);

    /// <summary>
    /// Points the descriptor at another buffer that already holds a copy of its frame at <paramref name="dataOffset"/>,
    /// keeping the length and every piece of metadata. The header offsets move with the frame, so they still name the
    /// same headers in the new buffer. What a replica is made with (<c>PacketEmitter.TryClone</c>). The caller
    /// guarantees the frame fits the new buffer at that offset.
    /// </summary>
    public void Rebase(byte* buffer, int capacity, int dataOffset, nint owner)
    {
        int shift = dataOffset - _dataOffset;
        _buffer = buffer;
        _capacity = capacity;
        _dataOffset = dataOffset;
        Owner = owner;
        if (shift != 0)
        {
            // 0 means "not found", so it stays 0.
            L2Offset = Shifted(L2Offset, shift);
            L3Offset = Shifted(L3Offset, shift);
            L4Offset = Shifted(L4Offset, shift);
            InnerL3Offset = Shifted(InnerL3Offset, shift);
            InnerL4Offset = Shifted(InnerL4Offset, shift);
        }
    }

    private static ushort Shifted(ushort offset, int shift) => offset == 0 ? (ushort)0 : (ushort)(offset + shift);

    /// <summary>True when the descriptor points at a buffer.</summary>
    public readonly bool HasBuffer => _buffer != null;

    /// <summary>The frame bytes.</summary>
    public readonly Span<byte> Data => new(_buffer + _dataOffset, _length);

    /// <summary>The whole buffer, headroom included; header offsets index into this.</summary>
    public readonly Span<byte> BufferSpan => new(_buffer, _capacity);

    /// <summary>Free bytes in front of the frame.</summary>
    public readonly int Headroom => _dataOffset;

    /// <summary>Free bytes after the frame.</summary>
    public readonly int Tailroom => _capacity - _dataOffset - _length;

    /// <summary>True once a stage has set <see cref="DropReason"/>.</summary>
    public readonly bool IsDropped => DropReason != 0;

    /// <summary>
    /// Grows the frame at the front by <paramref name="count"/> bytes taken from the headroom and
    /// returns those new leading bytes (uninitialised) for the caller to fill with outer headers.
    /// False, and nothing changes, when the headroom is too small.
    /// </summary>
    public bool TryPrepend(int count, out Span<byte> front)
    {
        if ((uint)count > (uint)_dataOffset)
        {
            front = default;
            return false;
        }
        _dataOffset -= count;
        _length += count;
        front = new Span<byte>(_buffer + _dataOffset, count);
        return true;
    }

    /// <summary>Strips <paramref name="count"/> bytes from the front (decapsulation). False if the frame is shorter.</summary>
    public bool TryAdjust(int count)
    {
        if ((uint)count > (uint)_length)
        {
            return false;
        }
        _dataOffset += count;
        _length -= count;
        return true;
    }

    /// <summary>Cuts <paramref name="count"/> bytes from the tail. False if the frame is shorter.</summary>
    public bool TryTrim(int count)
    {
        if ((uint)count > (uint)_length)
        {
            return false;
        }
        _length -= count;
        return true;
    }

    /// <summary>
    /// Grows the frame at the tail by <paramref name="count"/> bytes and returns them
    /// (uninitialised). False, and nothing changes, when the tailroom is too small.
    /// </summary>
    public bool TryAppend(int count, out Span<byte> tail)
    {
        if ((uint)count > (uint)Tailroom)
        {
            tail = default;
            return false;
        }
        tail = new Span<byte>(_buffer + _dataOffset + _length, count);
        _length += count;
        return true;
    }

    /// <summary>Sets the frame length, e.g. after a port wrote a frame; false if it would not fit the buffer.</summary>
    public bool TrySetLength(int length)
    {
        if ((uint)length > (uint)(_capacity - _dataOffset))
        {
            return false;
        }
        _length = length;
        return true;
    }
}
