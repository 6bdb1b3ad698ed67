using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;

namespace Dataplane.Ports.Pcap;

/// <summary>
/// Writes a classic pcap file, little-endian, with microsecond or nanosecond timestamps.
/// Nothing is allocated per packet: the record header is built on the stack and the frame is
/// written from the caller's span into the file buffer.
/// </summary>
public sealed class PcapWriter : IDisposable
{
    /// <summary>Snaplen written when none is given: libpcap's maximum, so nothing is cut.</summary>
    public const int DefaultSnapLength = CaptureReader.MaxCapturedLength;

    private const int FileBufferSize = 1 << 20;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly long _nanosecondsPerUnit;
    private bool _disposed;

    public PcapWriter(string path, CaptureLinkType linkType = CaptureLinkType.Ethernet,
        PcapTimestampPrecision precision = PcapTimestampPrecision.Microseconds, int snapLength = DefaultSnapLength)
        : this(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, FileBufferSize), linkType, precision, snapLength, leaveOpen: false)
    {
    }

    public PcapWriter(Stream stream, CaptureLinkType linkType = CaptureLinkType.Ethernet,
        PcapTimestampPrecision precision = PcapTimestampPrecision.Microseconds, int snapLength = DefaultSnapLength, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(snapLength);
        if (!CaptureLinkTypes.IsSupported((ushort)linkType))
        {
            throw new ArgumentOutOfRangeException(nameof(linkType), linkType, "Unsupported link type.");
        }
        _stream = stream;
        _leaveOpen = leaveOpen;
        LinkType = linkType;
        Precision = precision;
        SnapLength = snapLength;
        _nanosecondsPerUnit = precision == PcapTimestampPrecision.Nanoseconds ? 1 : 1000;

        Span<byte> header = stackalloc byte[PcapReader.FileHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header,
            precision == PcapTimestampPrecision.Nanoseconds ? PcapReader.NanosecondMagic : PcapReader.MicrosecondMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2); // version 2.4
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], 0);  // thiszone: timestamps are UTC
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0); // sigfigs
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (ushort)linkType);
        _stream.Write(header);
    }

    public CaptureLinkType LinkType { get; }

    public PcapTimestampPrecision Precision { get; }

    /// <summary>Frames longer than this are cut, the record keeping their original length.</summary>
    public int SnapLength { get; }

    /// <summary>
    /// Writes one record. <paramref name="timestamp"/> is nanoseconds since the Unix epoch (not
    /// before it: the format stores unsigned seconds). <paramref name="originalLength"/> defaults
    /// to the frame length.
    /// </summary>
    public void Write(ReadOnlySpan<byte> frame, long timestamp, int originalLength = -1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((ulong)timestamp / 1_000_000_000UL > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(timestamp), timestamp, "A pcap timestamp must lie between 1970 and 2106.");
        }
        var captured = frame.Length <= SnapLength ? frame : frame[..SnapLength];
        Span<byte> header = stackalloc byte[PcapReader.RecordHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)(timestamp / 1_000_000_000L));
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)(timestamp % 1_000_000_000L / _nanosecondsPerUnit));
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], captured.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], originalLength < 0 ? frame.Length : originalLength);
        _stream.Write(header);
        _stream.Write(captured);
    }

    /// <summary>Writes the frame of <paramref name="packet"/> with its <see cref="PacketDescriptor.Timestamp"/>.</summary>
    public void Write(in PacketDescriptor packet) => Write(packet.Data, packet.Timestamp);

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
}
