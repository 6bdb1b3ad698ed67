using System.Buffers.Binary;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;

namespace Dataplane.Wire.Headers;

/// <summary>
/// A view over an IPv4 header (RFC 791), options included, at the start of <c>bytes</c>.
/// <see cref="TryCreate"/> checks version, IHL and total length against the buffer, so a lying length field
/// cannot steer a getter out of bounds. Setters can later write lies (that is how tests build hostile packets),
/// so the span getters clamp to the buffer instead of trusting the fields again.
/// </summary>
public readonly ref struct Ipv4Header
{
    public const int MinLength = 20;
    public const int MaxLength = 60;

    private const byte FlagReserved = 0x80;
    private const byte FlagDontFragment = 0x40;
    private const byte FlagMoreFragments = 0x20;

    private readonly Span<byte> _bytes;

    private Ipv4Header(Span<byte> bytes) => _bytes = bytes;

    /// <summary>
    /// Refuses version != 4, IHL &lt; 5, a header longer than the buffer, and a total length shorter than the
    /// header or longer than the buffer. Bytes past the total length (Ethernet padding) are allowed and ignored.
    /// </summary>
    public static bool TryCreate(Span<byte> bytes, out Ipv4Header header)
    {
        header = default;
        if (bytes.Length < MinLength || (bytes[0] >> 4) != 4)
        {
            return false;
        }

        int headerLength = (bytes[0] & 0x0F) * 4;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
        if (headerLength < MinLength || headerLength > bytes.Length || totalLength < headerLength || totalLength > bytes.Length)
        {
            return false;
        }

        header = new Ipv4Header(bytes);
        return true;
    }

    /// <summary>Wraps a buffer the caller is about to fill; only the fixed 20 bytes are required.</summary>
    public static bool TryCreateForWrite(Span<byte> bytes, out Ipv4Header header)
    {
        header = bytes.Length >= MinLength ? new Ipv4Header(bytes) : default;
        return bytes.Length >= MinLength;
    }

    public byte Version
    {
        get => (byte)(_bytes[0] >> 4);
        set => _bytes[0] = (byte)((value << 4) | (_bytes[0] & 0x0F));
    }

    /// <summary>Internet Header Length in 32-bit words (5-15).</summary>
    public byte Ihl
    {
        get => (byte)(_bytes[0] & 0x0F);
        set => _bytes[0] = (byte)((_bytes[0] & 0xF0) | (value & 0x0F));
    }

    /// <summary>The header length in bytes, options included (IHL * 4).</summary>
    public int HeaderLength => Ihl * 4;

    public byte Dscp
    {
        get => (byte)(_bytes[1] >> 2);
        set => _bytes[1] = (byte)((value << 2) | (_bytes[1] & 0x03));
    }

    public byte Ecn
    {
        get => (byte)(_bytes[1] & 0x03);
        set => _bytes[1] = (byte)((_bytes[1] & 0xFC) | (value & 0x03));
    }

    /// <summary>Header plus payload in bytes.</summary>
    public ushort TotalLength
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[2..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[2..], value);
    }

    public ushort Identification
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[4..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[4..], value);
    }

    /// <summary>The three flag bits (reserved, DF, MF) as a number 0-7, in the order they sit on the wire.</summary>
    public byte Flags
    {
        get => (byte)(_bytes[6] >> 5);
        set => _bytes[6] = (byte)(((value & 0x07) << 5) | (_bytes[6] & 0x1F));
    }

    /// <summary>The reserved bit; must be zero on the wire (RFC 791), exposed so it can be checked or cleared.</summary>
    public bool ReservedFlag
    {
        get => (_bytes[6] & FlagReserved) != 0;
        set => SetFlag(FlagReserved, value);
    }

    public bool DontFragment
    {
        get => (_bytes[6] & FlagDontFragment) != 0;
        set => SetFlag(FlagDontFragment, value);
    }

    public bool MoreFragments
    {
        get => (_bytes[6] & FlagMoreFragments) != 0;
        set => SetFlag(FlagMoreFragments, value);
    }

    /// <summary>The fragment offset field in 8-byte units (0-8191); multiply by 8 for the byte offset.</summary>
    public ushort FragmentOffset
    {
        get => (ushort)(BinaryPrimitives.ReadUInt16BigEndian(_bytes[6..]) & 0x1FFF);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[6..], (ushort)((BinaryPrimitives.ReadUInt16BigEndian(_bytes[6..]) & 0xE000) | (value & 0x1FFF)));
    }

    /// <summary>True for any fragment, first included: the L4 header may be missing or incomplete.</summary>
    public bool IsFragment => MoreFragments || FragmentOffset != 0;

    public byte TimeToLive
    {
        get => _bytes[8];
        set => _bytes[8] = value;
    }

    public byte Protocol
    {
        get => _bytes[9];
        set => _bytes[9] = value;
    }

    public ushort Checksum
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[10..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[10..], value);
    }

    public Ipv4Address Source
    {
        get => Ipv4Address.Read(_bytes[12..]);
        set => value.Write(_bytes[12..]);
    }

    public Ipv4Address Destination
    {
        get => Ipv4Address.Read(_bytes[16..]);
        set => value.Write(_bytes[16..]);
    }

    /// <summary>The option bytes between the fixed 20 bytes and <see cref="HeaderLength"/> (empty when IHL is 5).</summary>
    public Span<byte> Options => _bytes[MinLength..HeaderEnd];

    /// <summary>The bytes after the header, bounded by the total length (so Ethernet padding is excluded).</summary>
    public Span<byte> Payload => _bytes[HeaderEnd..PacketEnd];

    /// <summary>Header and payload as the total length declares them.</summary>
    public Span<byte> Packet => _bytes[..PacketEnd];

    private int HeaderEnd => Math.Clamp(HeaderLength, MinLength, _bytes.Length);

    private int PacketEnd => Math.Clamp((int)TotalLength, HeaderEnd, _bytes.Length);

    /// <summary>The header checksum as it should be, computed as if the checksum field were zero.</summary>
    public ushort ComputeChecksum()
    {
        Span<byte> header = _bytes[..HeaderEnd];
        return InternetChecksum.Finish(InternetChecksum.Sum(header[12..], InternetChecksum.Sum(header[..10])));
    }

    /// <summary>Writes the freshly computed checksum; call after the last header field is set.</summary>
    public void UpdateChecksum() => Checksum = ComputeChecksum();

    public bool IsChecksumValid => InternetChecksum.IsValid(_bytes[..HeaderEnd]);

    /// <summary>
    /// Decrements the TTL and patches the checksum incrementally (RFC 1624) instead of summing the header again;
    /// the forwarding path calls this for every routed packet. Returns false, changing nothing, when TTL is already 0 or 1.
    /// </summary>
    public bool TryDecrementTimeToLive()
    {
        // TTL and protocol form one 16-bit word of the checksum; the new word is computed in a register rather than
        // read back after the one-byte TTL store: a 2-byte load overlapping a 1-byte store cannot be forwarded from
        // the store buffer and waits for the store to retire (perf: the hottest instruction of the routing stage).
        ushort oldWord = BinaryPrimitives.ReadUInt16BigEndian(_bytes[8..]);
        if ((oldWord >> 8) <= 1)
        {
            return false;
        }

        ushort newWord = (ushort)(oldWord - 0x0100);
        _bytes[8] = (byte)(newWord >> 8);
        Checksum = InternetChecksum.Update(Checksum, oldWord, newWord);
        return true;
    }

    /// <summary>The pseudo-header sum for a TCP/UDP checksum over <paramref name="upperLayerLength"/> bytes of this packet.</summary>
    public uint PseudoHeaderSum(int upperLayerLength) =>
        InternetChecksum.PseudoHeaderSum(Source, Destination, Protocol, upperLayerLength);

    private void SetFlag(byte mask, bool value) => _bytes[6] = (byte)(value ? _bytes[6] | mask : _bytes[6] & ~mask);
}
