using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Dataplane.Forwarding.Buffers;

namespace Dataplane.Ports.Pcap;

/// <summary>
/// Streams packets out of a classic pcap or a pcapng file into <see cref="PacketPool"/> buffers.
/// <see cref="Open(string, PacketPool)"/> sniffs the format from the magic number, so callers
/// do not care which one they have.
/// </summary>
/// <remarks>
/// <para>
/// No allocation per packet: record headers are read into stack memory and the frame bytes
/// straight into the pool buffer, after its headroom. A malformed file does not throw on the
/// read path: the read returns <see cref="CaptureReadResult.Error"/> and <see cref="Error"/>
/// names the byte offset and the fault. Once in error the reader stays in error.
/// </para>
/// <para>
/// A packet larger than a pool buffer's frame capacity (<see cref="PacketPool.FrameCapacity"/>)
/// is reported as an error at its offset rather than silently truncated: a replay that changes
/// packets would give wrong answers. Size the pool for the capture (e.g. 9216 for jumbo frames).
/// </para>
/// <para>Not thread-safe; one reader per worker, like the pool it fills.</para>
/// </remarks>
public abstract class CaptureReader : IDisposable
{
    /// <summary>Largest captured length accepted in any record, whatever the header says (libpcap's limit).</summary>
    public const int MaxCapturedLength = 256 * 1024;

    /// <summary>FileStream buffer: large enough that small records cost a memcpy, not a syscall.</summary>
    private const int FileBufferSize = 1 << 20;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private CaptureError _error;
    private bool _failed;
    private byte[]? _skipBuffer;

    private protected CaptureReader(Stream stream, PacketPool pool, bool leaveOpen, long offset)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        Pool = pool;
        Offset = offset;
    }

    /// <summary>The format the magic number announced.</summary>
    public abstract CaptureFormat Format { get; }

    /// <summary>The pool packets are read into.</summary>
    public PacketPool Pool { get; }

    /// <summary>Stamped into <see cref="PacketDescriptor.IngressPort"/> of every packet read.</summary>
    public ushort IngressPort { get; set; }

    /// <summary>File offset of the next byte to read.</summary>
    public long Offset { get; private set; }

    /// <summary>What went wrong, once a read returned <see cref="CaptureReadResult.Error"/>; null before.</summary>
    public CaptureError? Error => _failed ? _error : null;

    /// <summary>Opens a capture file; throws <see cref="CaptureFormatException"/> if its header is bad.</summary>
    public static CaptureReader Open(string path, PacketPool pool)
    {
        if (!TryOpen(path, pool, out var reader, out var error))
        {
            throw new CaptureFormatException(error, path);
        }
        return reader;
    }

    /// <summary>Opens a capture file; false with <paramref name="error"/> if its header is bad. I/O failures still throw.</summary>
    public static bool TryOpen(string path, PacketPool pool, [NotNullWhen(true)] out CaptureReader? reader, out CaptureError error)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileBufferSize, FileOptions.SequentialScan);
        return TryOpen(stream, pool, out reader, out error, leaveOpen: false);
    }

    /// <summary>
    /// Reads a capture from <paramref name="stream"/> (need not be seekable). On failure the stream
    /// is disposed unless <paramref name="leaveOpen"/>.
    /// </summary>
    public static bool TryOpen(Stream stream, PacketPool pool, [NotNullWhen(true)] out CaptureReader? reader, out CaptureError error, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(pool);
        Span<byte> magicBytes = stackalloc byte[4];
        var read = stream.ReadAtLeast(magicBytes, 4, throwOnEndOfStream: false);
        CaptureReader? candidate = null;
        if (read < 4)
        {
            error = new CaptureError(0, $"file is {read} bytes long, too short for a capture file magic number");
        }
        else
        {
            var magic = BinaryPrimitives.ReadUInt32LittleEndian(magicBytes);
            candidate = magic switch
            {
                PcapNgReader.SectionHeaderBlockType => new PcapNgReader(stream, pool, leaveOpen),
                _ when PcapReader.IsMagic(magic) => new PcapReader(stream, pool, leaveOpen),
                _ => null,
            };
            error = candidate is null
                ? new CaptureError(0, $"bad magic number 0x{magic:x8}: neither pcap (a1b2c3d4, a1b23c4d, either byte order) nor pcapng (0a0d0d0a)")
                : default;
        }

        if (candidate is not null && candidate.TryReadFileHeader(magicBytes))
        {
            reader = candidate;
            return true;
        }

        if (candidate is not null)
        {
            error = candidate._error;
        }
        if (!leaveOpen)
        {
            stream.Dispose();
        }
        reader = null;
        return false;
    }

    /// <summary>
    /// Reads the next packet into a new pool buffer that <paramref name="packet"/> is pointed at
    /// (so it must not hold a buffer you still need). The caller frees it to <see cref="Pool"/>.
    /// On any result but <see cref="CaptureReadResult.Packet"/> no buffer is held.
    /// </summary>
    public CaptureReadResult TryRead(ref PacketDescriptor packet) => TryRead(ref packet, out _);

    /// <summary>As <see cref="TryRead(ref PacketDescriptor)"/>, also returning what the file says about the packet.</summary>
    public CaptureReadResult TryRead(ref PacketDescriptor packet, out CaptureRecord record)
    {
        if (_failed)
        {
            record = default;
            return CaptureReadResult.Error;
        }
        // Take the buffer before touching the file, so NoBuffer consumes nothing.
        if (!Pool.TryAllocate(ref packet))
        {
            record = default;
            return CaptureReadResult.NoBuffer;
        }
        // Set before the read: a format that maps its interfaces to ports (pcapng) overrides it in ReadPacket.
        packet.IngressPort = IngressPort;
        var result = ReadPacket(ref packet, out record);
        if (result == CaptureReadResult.Packet)
        {
            packet.Timestamp = record.Timestamp;
            packet.Format = record.LinkType.ToFrameFormat();
        }
        else
        {
            Pool.Free(ref packet);
        }
        return result;
    }

    /// <summary>
    /// Appends packets to <paramref name="batch"/> until it is full or reading stops. Returns
    /// <see cref="CaptureReadResult.Packet"/> when it filled the batch (read again for more),
    /// otherwise why it stopped; the batch still holds what was read before the stop.
    /// </summary>
    public CaptureReadResult ReadBatch(PacketBatch batch)
    {
        var packet = default(PacketDescriptor);
        while (!batch.IsFull)
        {
            // Virtual per packet, but each packet costs a record parse and a memcpy from the file
            // buffer, and dynamic PGO devirtualises this call for the one concrete reader in use.
            var result = TryRead(ref packet);
            if (result != CaptureReadResult.Packet)
            {
                return result;
            }
            batch.TryAdd(packet);
        }
        return CaptureReadResult.Packet;
    }

    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Parses what follows the magic number; false with the error set if it is bad.</summary>
    private protected abstract bool TryReadFileHeader(ReadOnlySpan<byte> magic);

    /// <summary>
    /// Reads the next packet into <paramref name="packet"/>'s buffer (already allocated, empty, its ingress port set to
    /// <see cref="IngressPort"/>, which a format whose interfaces feed ports of their own replaces).
    /// </summary>
    private protected abstract CaptureReadResult ReadPacket(ref PacketDescriptor packet, out CaptureRecord record);

    /// <summary>Reads up to <c>buffer.Length</c> bytes, fewer only at end of file; returns how many.</summary>
    private protected int Read(Span<byte> buffer)
    {
        var read = _stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        Offset += read;
        return read;
    }

    /// <summary>Reads the frame bytes straight into the packet buffer; false if the file ends first.</summary>
    private protected bool ReadFrame(ref PacketDescriptor packet, int length)
    {
        packet.TrySetLength(length);
        return Read(packet.Data) == length;
    }

    /// <summary>Discards <paramref name="count"/> bytes (options, padding, unknown blocks); false if the file ends first.</summary>
    private protected bool Skip(long count)
    {
        // Reading instead of seeking keeps non-seekable streams (pipes) working; skipped data is
        // rare and small, and the FileStream buffer makes it a memcpy.
        var scratch = _skipBuffer ??= new byte[4096];
        while (count > 0)
        {
            var chunk = (int)Math.Min(count, scratch.Length);
            var read = Read(scratch.AsSpan(0, chunk));
            if (read < chunk)
            {
                return false;
            }
            count -= chunk;
        }
        return true;
    }

    /// <summary>Records the error (message built only on this cold path) and returns <see cref="CaptureReadResult.Error"/>.</summary>
    private protected CaptureReadResult Fail(long offset, string message)
    {
        _error = new CaptureError(offset, message);
        _failed = true;
        return CaptureReadResult.Error;
    }

    /// <summary>Shared size checks for a captured length, in the order that gives the most telling message.</summary>
    private protected CaptureReadResult CheckCapturedLength(long recordOffset, long capturedLength, long snapLength, in PacketDescriptor packet, string what)
    {
        if (capturedLength > MaxCapturedLength)
        {
            return Fail(recordOffset, $"{what}: captured length {capturedLength} exceeds the {MaxCapturedLength}-byte limit");
        }
        if (snapLength != 0 && capturedLength > snapLength)
        {
            return Fail(recordOffset, $"{what}: captured length {capturedLength} exceeds the snapshot length {snapLength}");
        }
        if (capturedLength > packet.Tailroom)
        {
            return Fail(recordOffset, $"{what}: packet of {capturedLength} bytes does not fit a pool buffer of {packet.Tailroom} bytes");
        }
        return CaptureReadResult.Packet;
    }
}
