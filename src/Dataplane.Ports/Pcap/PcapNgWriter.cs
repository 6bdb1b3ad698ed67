using System.Buffers.Binary;
using System.Text;
using Dataplane.Forwarding.Buffers;

namespace Dataplane.Ports.Pcap;

/// <summary>
/// Writes a pcapng file, little-endian: one Section Header Block, then an Interface Description
/// Block (nanosecond if_tsresol) per interface, then Enhanced Packet Blocks. Interfaces are
/// added explicitly (<see cref="AddInterface"/>) or on first use of a link type. Nothing is
/// allocated per packet.
/// </summary>
public sealed class PcapNgWriter : IDisposable
{
    private const int FileBufferSize = 1 << 20;
    private const int EnhancedPacketHeaderLength = 28; // type, length, interface, ts high/low, captured, original
    private const byte NanosecondResolution = 9;
    private const ushort CommentOption = 1;

    /// <summary>Longest opt_comment a packet block takes here (an option length is 16 bits; this keeps blocks small).</summary>
    public const int MaxCommentLength = 4096;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly List<CaptureLinkType> _interfaces = [];
    private bool _disposed;

    public PcapNgWriter(string path)
        : this(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, FileBufferSize), leaveOpen: false)
    {
    }

    public PcapNgWriter(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;

        var application = "Dataplane"u8;
        var optionsLength = OptionLength(application.Length) + 4; // shb_userappl + opt_endofopt
        var length = 28 + optionsLength;
        Span<byte> block = stackalloc byte[length];
        block.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(block, PcapNgReader.SectionHeaderBlockType);
        BinaryPrimitives.WriteInt32LittleEndian(block[4..], length);
        BinaryPrimitives.WriteUInt32LittleEndian(block[8..], PcapNgReader.ByteOrderMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(block[12..], 1); // version 1.0
        BinaryPrimitives.WriteUInt16LittleEndian(block[14..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(block[16..], -1); // section length: not computed
        WriteOption(block[24..], 4, application); // shb_userappl
        BinaryPrimitives.WriteInt32LittleEndian(block[^4..], length);
        _stream.Write(block);
    }

    /// <summary>Interfaces described so far; packet blocks refer to them by index.</summary>
    public int InterfaceCount => _interfaces.Count;

    /// <summary>Writes an Interface Description Block and returns its index.</summary>
    public int AddInterface(CaptureLinkType linkType, string? name = null, int snapLength = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(snapLength);
        if (!CaptureLinkTypes.IsSupported((ushort)linkType))
        {
            throw new ArgumentOutOfRangeException(nameof(linkType), linkType, "Unsupported link type.");
        }
        var nameBytes = name is null ? [] : Encoding.UTF8.GetBytes(name);
        var optionsLength = (name is null ? 0 : OptionLength(nameBytes.Length)) + OptionLength(1) + 4;
        var length = 20 + optionsLength;
        var block = new byte[length];
        BinaryPrimitives.WriteUInt32LittleEndian(block, PcapNgReader.InterfaceDescriptionBlockType);
        BinaryPrimitives.WriteInt32LittleEndian(block.AsSpan(4), length);
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(8), (ushort)linkType);
        BinaryPrimitives.WriteInt32LittleEndian(block.AsSpan(12), snapLength);
        var options = block.AsSpan(16);
        if (name is not null)
        {
            options = options[WriteOption(options, PcapNgReader.InterfaceNameOption, nameBytes)..];
        }
        WriteOption(options, PcapNgReader.TimestampResolutionOption, [NanosecondResolution]);
        BinaryPrimitives.WriteInt32LittleEndian(block.AsSpan(length - 4), length);
        _stream.Write(block);
        _interfaces.Add(linkType);
        return _interfaces.Count - 1;
    }

    /// <summary>The first interface of <paramref name="linkType"/>, described now if there is none yet.</summary>
    public int InterfaceFor(CaptureLinkType linkType)
    {
        for (var i = 0; i < _interfaces.Count; i++)
        {
            if (_interfaces[i] == linkType)
            {
                return i;
            }
        }
        return AddInterface(linkType);
    }

    /// <summary>Writes a frame on the first interface of <paramref name="linkType"/>.</summary>
    public void Write(ReadOnlySpan<byte> frame, long timestamp, CaptureLinkType linkType = CaptureLinkType.Ethernet) =>
        Write(InterfaceFor(linkType), frame, timestamp);

    /// <summary>Writes the frame of <paramref name="packet"/>, on the first interface matching its format.</summary>
    public void Write(in PacketDescriptor packet) =>
        Write(InterfaceFor(packet.Format.ToLinkType()), packet.Data, packet.Timestamp);

    /// <summary>
    /// Writes an Enhanced Packet Block on <paramref name="interfaceId"/>. <paramref name="timestamp"/>
    /// is nanoseconds since the Unix epoch; <paramref name="originalLength"/> defaults to the frame length.
    /// </summary>
    public void Write(int interfaceId, ReadOnlySpan<byte> frame, long timestamp, int originalLength = -1) =>
        Write(interfaceId, frame, timestamp, comment: default, originalLength);

    /// <summary>
    /// As <see cref="Write(int, ReadOnlySpan{byte}, long, int)"/>, with an opt_comment option (UTF-8, what tshark
    /// shows as <c>frame.comment</c>) when <paramref name="comment"/> is not empty.
    /// </summary>
    public void Write(int interfaceId, ReadOnlySpan<byte> frame, long timestamp, ReadOnlySpan<byte> comment, int originalLength = -1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((uint)interfaceId >= (uint)_interfaces.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(interfaceId), interfaceId, "No such interface.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);
        if (comment.Length > MaxCommentLength)
        {
            throw new ArgumentOutOfRangeException(nameof(comment), comment.Length, $"A comment holds at most {MaxCommentLength} bytes.");
        }
        var padding = (4 - (frame.Length & 3)) & 3;
        var optionsLength = comment.IsEmpty ? 0 : OptionLength(comment.Length) + 4; // opt_comment + opt_endofopt
        var length = EnhancedPacketHeaderLength + frame.Length + padding + optionsLength + 4;
        Span<byte> header = stackalloc byte[EnhancedPacketHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header, PcapNgReader.EnhancedPacketBlockType);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], length);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], interfaceId);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)((ulong)timestamp >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)timestamp);
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], frame.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], originalLength < 0 ? frame.Length : originalLength);
        _stream.Write(header);
        _stream.Write(frame);
        Span<byte> tail = stackalloc byte[8];
        tail.Clear();
        if (!comment.IsEmpty)
        {
            _stream.Write(tail[..padding]);
            padding = 0;
            Span<byte> optionHeader = stackalloc byte[4];
            BinaryPrimitives.WriteUInt16LittleEndian(optionHeader, CommentOption);
            BinaryPrimitives.WriteUInt16LittleEndian(optionHeader[2..], (ushort)comment.Length);
            _stream.Write(optionHeader);
            _stream.Write(comment);
            // The comment's padding, then opt_endofopt (four zero bytes), then the length below.
            _stream.Write(tail[..(((4 - (comment.Length & 3)) & 3) + 4)]);
        }
        // Padding and the trailing length in one write: up to 3 zero bytes, then the length.
        BinaryPrimitives.WriteInt32LittleEndian(tail[padding..], length);
        _stream.Write(tail[..(padding + 4)]);
    }

    public void Flush() => _stream.Flush();

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _stream.Flush();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private static int OptionLength(int valueLength) => 4 + ((valueLength + 3) & ~3);

    /// <summary>Writes code, length, value and zero padding; returns the bytes used. The target is pre-zeroed.</summary>
    private static int WriteOption(Span<byte> target, ushort code, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(target, code);
        BinaryPrimitives.WriteUInt16LittleEndian(target[2..], (ushort)value.Length);
        value.CopyTo(target[4..]);
        return OptionLength(value.Length);
    }
}
