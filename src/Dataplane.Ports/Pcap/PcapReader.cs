using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;

namespace Dataplane.Ports.Pcap;

/// <summary>
/// Reads classic pcap files (draft-ietf-opsawg-pcap): microsecond or nanosecond magic, either
/// byte order. Create through <see cref="CaptureReader.Open(string, PacketPool)"/>.
/// </summary>
public sealed class PcapReader : CaptureReader
{
    internal const uint MicrosecondMagic = 0xA1B2C3D4;
    internal const uint NanosecondMagic = 0xA1B23C4D;
    internal const int FileHeaderLength = 24;
    internal const int RecordHeaderLength = 16;

    private bool _bigEndian;
    private long _fractionToNanoseconds;

    internal PcapReader(Stream stream, PacketPool pool, bool leaveOpen)
        : base(stream, pool, leaveOpen, offset: 4)
    {
    }

    public override CaptureFormat Format => CaptureFormat.Pcap;

    /// <summary>Timestamp unit announced by the magic number.</summary>
    public PcapTimestampPrecision Precision { get; private set; }

    /// <summary>True when the file was written big-endian (its magic reads swapped on this host).</summary>
    public bool IsBigEndian => _bigEndian;

    /// <summary>Largest captured length the file header allows; 0 means not stated.</summary>
    public uint SnapLength { get; private set; }

    /// <summary>Link type of every packet in the file.</summary>
    public CaptureLinkType LinkType { get; private set; }

    internal static bool IsMagic(uint littleEndianMagic) =>
        littleEndianMagic is MicrosecondMagic or NanosecondMagic
        || BinaryPrimitives.ReverseEndianness(littleEndianMagic) is MicrosecondMagic or NanosecondMagic;

    private protected override bool TryReadFileHeader(ReadOnlySpan<byte> magicBytes)
    {
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(magicBytes);
        _bigEndian = magic is not (MicrosecondMagic or NanosecondMagic);
        if (_bigEndian)
        {
            magic = BinaryPrimitives.ReverseEndianness(magic);
        }
        Precision = magic == NanosecondMagic ? PcapTimestampPrecision.Nanoseconds : PcapTimestampPrecision.Microseconds;
        _fractionToNanoseconds = Precision == PcapTimestampPrecision.Nanoseconds ? 1 : 1000;

        Span<byte> header = stackalloc byte[FileHeaderLength - 4];
        var read = Read(header);
        if (read < header.Length)
        {
            Fail(0, $"truncated file header: {FileHeaderLength} bytes needed, the file has {4 + read}");
            return false;
        }
        var major = U16(header);
        if (major != 2)
        {
            Fail(0, $"unsupported pcap version {major}.{U16(header[2..])} (expected 2.x)");
            return false;
        }
        SnapLength = U32(header[12..]);
        // The upper bits of the link type field carry FCS length flags; the type is the low 16.
        var linkType = (ushort)U32(header[16..]);
        if (!CaptureLinkTypes.IsSupported(linkType))
        {
            Fail(0, $"unsupported link type {linkType} in file header (supported: 1 Ethernet, 101/228/229 raw IP)");
            return false;
        }
        LinkType = (CaptureLinkType)linkType;
        return true;
    }

    private protected override CaptureReadResult ReadPacket(ref PacketDescriptor packet, out CaptureRecord record)
    {
        record = default;
        var recordOffset = Offset;
        Span<byte> header = stackalloc byte[RecordHeaderLength];
        var read = Read(header);
        if (read == 0)
        {
            return CaptureReadResult.EndOfFile;
        }
        if (read < RecordHeaderLength)
        {
            return Fail(recordOffset, $"truncated record header: {RecordHeaderLength} bytes needed, {read} left in the file");
        }

        var seconds = U32(header);
        var fraction = U32(header[4..]);
        var capturedLength = U32(header[8..]);
        var originalLength = U32(header[12..]);

        var check = CheckCapturedLength(recordOffset, capturedLength, SnapLength, packet, "record");
        if (check != CaptureReadResult.Packet)
        {
            return check;
        }
        if (!ReadFrame(ref packet, (int)capturedLength))
        {
            return Fail(recordOffset, $"truncated record body: captured length {capturedLength} but the file ends {Offset - recordOffset - RecordHeaderLength} bytes into it");
        }

        record = new CaptureRecord(
            seconds * 1_000_000_000L + fraction * _fractionToNanoseconds,
            (int)capturedLength,
            originalLength,
            InterfaceIndex: 0,
            LinkType,
            recordOffset);
        return CaptureReadResult.Packet;
    }

    private ushort U16(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes);

    private uint U32(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
}
