using System.Buffers.Binary;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;

namespace Dataplane.Wire.Headers;

/// <summary>
/// A view over a TCP header (RFC 9293), options included. TCP has no length field of its own, so the segment
/// is whatever span the caller passes: bound it by the IP payload first (<see cref="Ipv4Header.Payload"/>),
/// or Ethernet padding will be taken for data and the checksum will be wrong.
/// </summary>
public readonly ref struct TcpHeader
{
    public const int MinLength = 20;
    public const int MaxLength = 60;

    private readonly Span<byte> _bytes;

    private TcpHeader(Span<byte> bytes) => _bytes = bytes;

    /// <summary>Refuses a data offset below 5 words or one that runs past the buffer.</summary>
    public static bool TryCreate(Span<byte> bytes, out TcpHeader header)
    {
        header = default;
        if (bytes.Length < MinLength)
        {
            return false;
        }

        int headerLength = (bytes[12] >> 4) * 4;
        if (headerLength < MinLength || headerLength > bytes.Length)
        {
            return false;
        }

        header = new TcpHeader(bytes);
        return true;
    }

    /// <summary>Wraps a buffer the caller is about to fill; only the fixed 20 bytes are required.</summary>
    public static bool TryCreateForWrite(Span<byte> bytes, out TcpHeader header)
    {
        header = bytes.Length >= MinLength ? new TcpHeader(bytes) : default;
        return bytes.Length >= MinLength;
    }

    public ushort SourcePort
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes, value);
    }

    public ushort DestinationPort
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[2..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[2..], value);
    }

    public uint SequenceNumber
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(_bytes[4..]);
        set => BinaryPrimitives.WriteUInt32BigEndian(_bytes[4..], value);
    }

    public uint AcknowledgmentNumber
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(_bytes[8..]);
        set => BinaryPrimitives.WriteUInt32BigEndian(_bytes[8..], value);
    }

    /// <summary>Header length in 32-bit words (5-15). The low nibble of byte 12 (reserved, AE) is preserved by the setter.</summary>
    public byte DataOffset
    {
        get => (byte)(_bytes[12] >> 4);
        set => _bytes[12] = (byte)((value << 4) | (_bytes[12] & 0x0F));
    }

    /// <summary>The header length in bytes, options included (data offset * 4).</summary>
    public int HeaderLength => DataOffset * 4;

    public TcpFlags Flags
    {
        get => (TcpFlags)_bytes[13];
        set => _bytes[13] = (byte)value;
    }

    public bool Fin
    {
        get => HasFlag(TcpFlags.Fin);
        set => SetFlag(TcpFlags.Fin, value);
    }

    public bool Syn
    {
        get => HasFlag(TcpFlags.Syn);
        set => SetFlag(TcpFlags.Syn, value);
    }

    public bool Rst
    {
        get => HasFlag(TcpFlags.Rst);
        set => SetFlag(TcpFlags.Rst, value);
    }

    public bool Psh
    {
        get => HasFlag(TcpFlags.Psh);
        set => SetFlag(TcpFlags.Psh, value);
    }

    public bool Ack
    {
        get => HasFlag(TcpFlags.Ack);
        set => SetFlag(TcpFlags.Ack, value);
    }

    public bool Urg
    {
        get => HasFlag(TcpFlags.Urg);
        set => SetFlag(TcpFlags.Urg, value);
    }

    public bool Ece
    {
        get => HasFlag(TcpFlags.Ece);
        set => SetFlag(TcpFlags.Ece, value);
    }

    public bool Cwr
    {
        get => HasFlag(TcpFlags.Cwr);
        set => SetFlag(TcpFlags.Cwr, value);
    }

    public ushort Window
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[14..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[14..], value);
    }

    public ushort Checksum
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[16..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[16..], value);
    }

    public ushort UrgentPointer
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[18..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[18..], value);
    }

    /// <summary>The option bytes between the fixed 20 bytes and <see cref="HeaderLength"/>; parsing them is the caller's business.</summary>
    public Span<byte> Options => _bytes[MinLength..HeaderEnd];

    /// <summary>Everything after the header, to the end of the span the view was created over.</summary>
    public Span<byte> Payload => _bytes[HeaderEnd..];

    /// <summary>The checksum as it should be over the whole segment, given the pseudo-header sum, as if the field were zero.</summary>
    public ushort ComputeChecksum(uint pseudoHeaderSum) =>
        InternetChecksum.Finish(InternetChecksum.Sum(_bytes[18..], InternetChecksum.Sum(_bytes[..16], pseudoHeaderSum)));

    public ushort ComputeChecksum(Ipv4Address source, Ipv4Address destination) =>
        ComputeChecksum(InternetChecksum.PseudoHeaderSum(source, destination, IpProtocol.Tcp, _bytes.Length));

    public ushort ComputeChecksum(Ipv6Address source, Ipv6Address destination) =>
        ComputeChecksum(InternetChecksum.PseudoHeaderSum(source, destination, IpProtocol.Tcp, _bytes.Length));

    public bool IsChecksumValid(uint pseudoHeaderSum) => InternetChecksum.IsValid(_bytes, pseudoHeaderSum);

    public bool IsChecksumValid(Ipv4Address source, Ipv4Address destination) =>
        IsChecksumValid(InternetChecksum.PseudoHeaderSum(source, destination, IpProtocol.Tcp, _bytes.Length));

    public bool IsChecksumValid(Ipv6Address source, Ipv6Address destination) =>
        IsChecksumValid(InternetChecksum.PseudoHeaderSum(source, destination, IpProtocol.Tcp, _bytes.Length));

    private int HeaderEnd => Math.Clamp(HeaderLength, MinLength, _bytes.Length);

    private bool HasFlag(TcpFlags flag) => (_bytes[13] & (byte)flag) != 0;

    private void SetFlag(TcpFlags flag, bool value) => _bytes[13] = (byte)(value ? _bytes[13] | (byte)flag : _bytes[13] & ~(byte)flag);
}
