using System.Buffers.Binary;
using System.Text;
using Dataplane.Forwarding.Buffers;

namespace Dataplane.Ports.Pcap;

/// <summary>
/// Reads pcapng files (draft-ietf-opsawg-pcapng): sections in either byte order, several
/// interfaces per section, Enhanced and Simple Packet Blocks. Other blocks (name resolution,
/// statistics, custom, obsolete Packet Blocks ...) are checked for framing and skipped.
/// Create through <see cref="CaptureReader.Open(string, PacketPool)"/>.
/// </summary>
public sealed class PcapNgReader : CaptureReader
{
    internal const uint SectionHeaderBlockType = 0x0A0D0D0A;
    internal const uint InterfaceDescriptionBlockType = 0x00000001;
    internal const uint SimplePacketBlockType = 0x00000003;
    internal const uint EnhancedPacketBlockType = 0x00000006;
    internal const uint ByteOrderMagic = 0x1A2B3C4D;

    internal const ushort EndOfOptions = 0;
    internal const ushort InterfaceNameOption = 2;
    internal const ushort TimestampResolutionOption = 9;
    internal const ushort TimestampOffsetOption = 14;

    // For blocks that carry no packet, Packet means "fine, read on".
    private const CaptureReadResult Ok = CaptureReadResult.Packet;

    // Type + total length in front, total length again behind.
    private const int BlockFraming = 12;
    private const int SectionHeaderMinLength = 28;
    private const int InterfaceDescriptionMinLength = 20;
    private const int EnhancedPacketFixedLength = 20;
    private const int SimplePacketFixedLength = 4;

    // An IDB is small (a few options); anything bigger is a broken length, not a real block.
    private const int MaxInterfaceDescriptionLength = 64 * 1024;

    private readonly List<PcapNgInterface> _interfaces = [];
    private byte[]? _blockBuffer;
    private bool _bigEndian;

    internal PcapNgReader(Stream stream, PacketPool pool, bool leaveOpen)
        : base(stream, pool, leaveOpen, offset: 4)
    {
    }

    public override CaptureFormat Format => CaptureFormat.PcapNg;

    /// <summary>Byte order of the current section.</summary>
    public bool IsBigEndian => _bigEndian;

    /// <summary>Sections seen so far (1 after opening).</summary>
    public int SectionCount { get; private set; }

    /// <summary>Interfaces described so far in the current section.</summary>
    public int InterfaceCount => _interfaces.Count;

    /// <summary>
    /// When set before reading, a packet on an interface whose if_name is a key here enters that port, a packet on an
    /// unnamed interface enters <see cref="CaptureReader.IngressPort"/>, and an interface named otherwise stops the
    /// read with an error naming it: a multi-port capture replayed into the ports it was taken on.
    /// </summary>
    public IReadOnlyDictionary<string, ushort>? PortsByInterfaceName { get; set; }

    /// <summary>The if_name of interface <paramref name="index"/> of the current section, or null when it has none.</summary>
    public string? InterfaceName(int index) => _interfaces[index].Name;


    private protected override bool TryReadFileHeader(ReadOnlySpan<byte> magic) =>
        ReadSectionHeader(blockOffset: 0) == Ok;

    private protected override CaptureReadResult ReadPacket(ref PacketDescriptor packet, out CaptureRecord record)
    {
        record = default;
        Span<byte> head = stackalloc byte[8];
        while (true)
        {
            var blockOffset = Offset;
            var read = Read(head[..4]);
            if (read == 0)
            {
                return CaptureReadResult.EndOfFile;
            }
            if (read < 4)
            {
                return Fail(blockOffset, $"truncated block header: 8 bytes needed, {read} left in the file");
            }
            var type = U32(head);
            if (type == SectionHeaderBlockType)
            {
                // Its length can only be read once its byte-order magic is known.
                var section = ReadSectionHeader(blockOffset);
                if (section != Ok)
                {
                    return section;
                }
                continue;
            }

            read = Read(head[4..]);
            if (read < 4)
            {
                return Fail(blockOffset, $"truncated block header: 8 bytes needed, {4 + read} left in the file");
            }
            var length = U32(head[4..]);
            if (length < BlockFraming || length % 4 != 0)
            {
                return Fail(blockOffset, $"block type 0x{type:x8} has bad total length {length} (must be a multiple of 4, at least {BlockFraming})");
            }

            switch (type)
            {
                case EnhancedPacketBlockType:
                    return ReadEnhancedPacket(blockOffset, length, ref packet, out record);
                case SimplePacketBlockType:
                    return ReadSimplePacket(blockOffset, length, ref packet, out record);
                case InterfaceDescriptionBlockType:
                    if (ReadInterfaceDescription(blockOffset, length) != Ok)
                    {
                        return CaptureReadResult.Error;
                    }
                    break;
                default:
                    if (SkipBlock(blockOffset, type, length) != Ok)
                    {
                        return CaptureReadResult.Error;
                    }
                    break;
            }
        }
    }

    private CaptureReadResult ReadSectionHeader(long blockOffset)
    {
        // Block type already read. Next: total length (byte order unknown yet), byte-order
        // magic, version, section length.
        Span<byte> fixedPart = stackalloc byte[SectionHeaderMinLength - 8];
        var read = Read(fixedPart);
        if (read < fixedPart.Length)
        {
            return Fail(blockOffset, $"truncated section header block: {SectionHeaderMinLength} bytes needed, {4 + read} left in the file");
        }
        var byteOrder = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[4..]);
        if (byteOrder == ByteOrderMagic)
        {
            _bigEndian = false;
        }
        else if (byteOrder == BinaryPrimitives.ReverseEndianness(ByteOrderMagic))
        {
            _bigEndian = true;
        }
        else
        {
            return Fail(blockOffset, $"section header block has bad byte-order magic 0x{byteOrder:x8} (expected 1a2b3c4d in either byte order)");
        }
        var length = U32(fixedPart);
        if (length < SectionHeaderMinLength || length % 4 != 0)
        {
            return Fail(blockOffset, $"section header block has bad total length {length} (must be a multiple of 4, at least {SectionHeaderMinLength})");
        }
        var major = U16(fixedPart[8..]);
        if (major != 1)
        {
            return Fail(blockOffset, $"unsupported pcapng version {major}.{U16(fixedPart[10..])} (expected 1.x)");
        }
        // Options (shb_hardware, shb_os, shb_userappl) tell us nothing we need.
        if (!Skip(length - SectionHeaderMinLength))
        {
            return Fail(blockOffset, $"truncated section header block: total length {length} runs past the end of the file");
        }
        var trailer = CheckTrailer(blockOffset, length);
        if (trailer != Ok)
        {
            return trailer;
        }
        // Interface numbers restart in every section.
        _interfaces.Clear();
        SectionCount++;
        return Ok;
    }

    private CaptureReadResult ReadInterfaceDescription(long blockOffset, uint length)
    {
        if (length < InterfaceDescriptionMinLength)
        {
            return Fail(blockOffset, $"interface description block has bad total length {length} (at least {InterfaceDescriptionMinLength})");
        }
        if (length > MaxInterfaceDescriptionLength)
        {
            return Fail(blockOffset, $"interface description block has implausible total length {length}");
        }
        var bodyLength = (int)length - BlockFraming;
        var buffer = _blockBuffer ??= new byte[MaxInterfaceDescriptionLength];
        var body = buffer.AsSpan(0, bodyLength);
        if (Read(body) < bodyLength)
        {
            return Fail(blockOffset, $"truncated interface description block: total length {length} runs past the end of the file");
        }
        var linkType = U16(body);
        var snapLength = U32(body[4..]);
        if (!CaptureLinkTypes.IsSupported(linkType))
        {
            return Fail(blockOffset, $"interface {_interfaces.Count}: unsupported link type {linkType} (supported: 1 Ethernet, 101/228/229 raw IP)");
        }

        string? name = null;
        var resolution = PcapNgInterface.MicrosecondResolution;
        var offsetSeconds = 0L;
        var options = body[8..];
        while (options.Length >= 4)
        {
            var code = U16(options);
            var optionLength = U16(options[2..]);
            if (code == EndOfOptions)
            {
                break;
            }
            var padded = (optionLength + 3) & ~3;
            if (4 + padded > options.Length)
            {
                return Fail(blockOffset, $"interface description block: option {code} of {optionLength} bytes overruns the block");
            }
            var value = options.Slice(4, optionLength);
            if (code == TimestampResolutionOption && optionLength == 1)
            {
                resolution = value[0];
                if (!PcapNgInterface.IsSupportedResolution(resolution))
                {
                    return Fail(blockOffset, $"interface {_interfaces.Count}: unsupported if_tsresol 0x{resolution:x2}");
                }
            }
            else if (code == TimestampOffsetOption && optionLength == 8)
            {
                offsetSeconds = (long)U64(value);
            }
            else if (code == InterfaceNameOption)
            {
                // Writers may count a terminating NUL in the length; the name ends there.
                var end = value.IndexOf((byte)0);
                name = Encoding.UTF8.GetString(end < 0 ? value : value[..end]);
            }
            options = options[(4 + padded)..];
        }

        var trailer = CheckTrailer(blockOffset, length);
        if (trailer != Ok)
        {
            return trailer;
        }
        var ingressPort = -1;
        if (name is not null && PortsByInterfaceName is { } ports)
        {
            if (!ports.TryGetValue(name, out var port))
            {
                return Fail(blockOffset, $"interface {_interfaces.Count} is named '{name}', which is no port of the configuration (ports: {string.Join(", ", ports.Keys.Order(StringComparer.Ordinal))})");
            }
            ingressPort = port;
        }
        _interfaces.Add(new PcapNgInterface((CaptureLinkType)linkType, snapLength, resolution, offsetSeconds, name, ingressPort));
        return Ok;
    }

    private CaptureReadResult ReadEnhancedPacket(long blockOffset, uint length, ref PacketDescriptor packet, out CaptureRecord record)
    {
        record = default;
        if (length < BlockFraming + EnhancedPacketFixedLength)
        {
            return Fail(blockOffset, $"enhanced packet block has bad total length {length} (at least {BlockFraming + EnhancedPacketFixedLength})");
        }
        Span<byte> fixedPart = stackalloc byte[EnhancedPacketFixedLength];
        var read = Read(fixedPart);
        if (read < fixedPart.Length)
        {
            return Fail(blockOffset, $"truncated enhanced packet block: {BlockFraming + EnhancedPacketFixedLength} bytes needed, {8 + read} left in the file");
        }
        var interfaceId = U32(fixedPart);
        var ticks = ((ulong)U32(fixedPart[4..]) << 32) | U32(fixedPart[8..]);
        var capturedLength = U32(fixedPart[12..]);
        var originalLength = U32(fixedPart[16..]);

        if (interfaceId >= (uint)_interfaces.Count)
        {
            return Fail(blockOffset, $"enhanced packet block refers to interface {interfaceId}, but the section describes {_interfaces.Count}");
        }
        var description = _interfaces[(int)interfaceId];
        var check = CheckCapturedLength(blockOffset, capturedLength, description.SnapLength, packet, "enhanced packet block");
        if (check != Ok)
        {
            return check;
        }
        var padded = (capturedLength + 3) & ~3u;
        if (BlockFraming + EnhancedPacketFixedLength + padded > length)
        {
            return Fail(blockOffset, $"enhanced packet block: captured length {capturedLength} overruns the block's total length {length}");
        }
        if (!ReadFrame(ref packet, (int)capturedLength)
            || !Skip(length - BlockFraming - EnhancedPacketFixedLength - capturedLength))
        {
            return Fail(blockOffset, $"truncated enhanced packet block: total length {length} runs past the end of the file");
        }
        var trailer = CheckTrailer(blockOffset, length);
        if (trailer != Ok)
        {
            return trailer;
        }
        if (description.IngressPort >= 0)
        {
            packet.IngressPort = (ushort)description.IngressPort;
        }
        record = new CaptureRecord(
            description.ToNanoseconds(ticks),
            (int)capturedLength,
            originalLength,
            (int)interfaceId,
            description.LinkType,
            blockOffset);
        return CaptureReadResult.Packet;
    }

    private CaptureReadResult ReadSimplePacket(long blockOffset, uint length, ref PacketDescriptor packet, out CaptureRecord record)
    {
        record = default;
        if (length < BlockFraming + SimplePacketFixedLength)
        {
            return Fail(blockOffset, $"simple packet block has bad total length {length} (at least {BlockFraming + SimplePacketFixedLength})");
        }
        if (_interfaces.Count == 0)
        {
            return Fail(blockOffset, "simple packet block before any interface description block in its section");
        }
        Span<byte> fixedPart = stackalloc byte[SimplePacketFixedLength];
        if (Read(fixedPart) < fixedPart.Length)
        {
            return Fail(blockOffset, "truncated simple packet block: original length missing");
        }
        var originalLength = U32(fixedPart);
        var description = _interfaces[0];
        // An SPB does not store its captured length: the data is the original packet cut to
        // interface 0's snaplen, and the block length bounds it (it includes padding).
        long capturedLength = Math.Min(originalLength, length - BlockFraming - SimplePacketFixedLength);
        if (description.SnapLength != 0)
        {
            capturedLength = Math.Min(capturedLength, description.SnapLength);
        }
        var check = CheckCapturedLength(blockOffset, capturedLength, 0, packet, "simple packet block");
        if (check != Ok)
        {
            return check;
        }
        if (!ReadFrame(ref packet, (int)capturedLength)
            || !Skip(length - BlockFraming - SimplePacketFixedLength - capturedLength))
        {
            return Fail(blockOffset, $"truncated simple packet block: total length {length} runs past the end of the file");
        }
        var trailer = CheckTrailer(blockOffset, length);
        if (trailer != Ok)
        {
            return trailer;
        }
        record = new CaptureRecord(0, (int)capturedLength, originalLength, 0, description.LinkType, blockOffset);
        return CaptureReadResult.Packet;
    }

    private CaptureReadResult SkipBlock(long blockOffset, uint type, uint length)
    {
        if (!Skip(length - BlockFraming))
        {
            return Fail(blockOffset, $"truncated block of type 0x{type:x8}: total length {length} runs past the end of the file");
        }
        return CheckTrailer(blockOffset, length);
    }

    private CaptureReadResult CheckTrailer(long blockOffset, uint length)
    {
        Span<byte> trailer = stackalloc byte[4];
        if (Read(trailer) < 4)
        {
            return Fail(blockOffset, $"truncated block: trailing total length missing (block of {length} bytes)");
        }
        var trailing = U32(trailer);
        if (trailing != length)
        {
            return Fail(blockOffset, $"block trailer says total length {trailing}, header says {length}");
        }
        return Ok;
    }

    private ushort U16(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes);

    private uint U32(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);

    private ulong U64(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(bytes) : BinaryPrimitives.ReadUInt64LittleEndian(bytes);
}
