using System.Buffers.Binary;
using Dataplane.Wire.Addresses;

namespace Dataplane.Wire.Headers;

/// <summary>
/// A view over an Ethernet II header at the start of <c>bytes</c>. When the frame is VLAN-tagged,
/// <see cref="EtherType"/> holds the outer tag's TPID and the tags follow; <see cref="EthernetTagWalker"/> finds the L3 start.
/// The frame check sequence is not part of the view: ports hand frames over without it.
/// </summary>
public readonly ref struct EthernetHeader
{
    public const int Length = 14;

    private readonly Span<byte> _bytes;

    private EthernetHeader(Span<byte> bytes) => _bytes = bytes;

    /// <summary>Accepts any buffer that holds the 14 header bytes; Ethernet has no length field to lie.</summary>
    public static bool TryCreate(Span<byte> bytes, out EthernetHeader header)
    {
        header = bytes.Length >= Length ? new EthernetHeader(bytes) : default;
        return bytes.Length >= Length;
    }

    /// <summary>Same check as <see cref="TryCreate"/>; kept for symmetry with the views that validate content.</summary>
    public static bool TryCreateForWrite(Span<byte> bytes, out EthernetHeader header) => TryCreate(bytes, out header);

    public int HeaderLength => Length;

    public MacAddress Destination
    {
        get => MacAddress.Read(_bytes);
        set => value.Write(_bytes);
    }

    public MacAddress Source
    {
        get => MacAddress.Read(_bytes[6..]);
        set => value.Write(_bytes[6..]);
    }

    public ushort EtherType
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[12..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[12..], value);
    }

    /// <summary>Everything after the 14 bytes: VLAN tags if any, then the L3 packet (and any padding).</summary>
    public Span<byte> Payload => _bytes[Length..];
}
