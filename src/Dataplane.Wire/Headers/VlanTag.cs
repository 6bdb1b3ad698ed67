using System.Buffers.Binary;

namespace Dataplane.Wire.Headers;

/// <summary>
/// A view over the 4 bytes that follow a VLAN TPID (802.1Q C-tag 0x8100 or 802.1ad S-tag 0x88A8): the TCI
/// (PCP, DEI, VID) and the EtherType of what comes next, which is the inner tag's TPID for QinQ.
/// The TPID itself belongs to the previous header (<see cref="EthernetHeader.EtherType"/> or the outer tag's
/// <see cref="EtherType"/>), exactly as it sits on the wire, so tags chain without overlap.
/// </summary>
public readonly ref struct VlanTag
{
    public const int Length = 4;

    private readonly Span<byte> _bytes;

    private VlanTag(Span<byte> bytes) => _bytes = bytes;

    public static bool TryCreate(Span<byte> bytes, out VlanTag tag)
    {
        tag = bytes.Length >= Length ? new VlanTag(bytes) : default;
        return bytes.Length >= Length;
    }

    public static bool TryCreateForWrite(Span<byte> bytes, out VlanTag tag) => TryCreate(bytes, out tag);

    public int HeaderLength => Length;

    /// <summary>The whole Tag Control Information word.</summary>
    public ushort Tci
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes, value);
    }

    /// <summary>Priority Code Point, 0-7 (802.1p class of service). Higher bits of a set value are ignored.</summary>
    public byte PriorityCodePoint
    {
        get => (byte)(_bytes[0] >> 5);
        set => _bytes[0] = (byte)((_bytes[0] & 0x1F) | ((value & 0x07) << 5));
    }

    /// <summary>Drop Eligible Indicator (was CFI before 802.1Q-2011).</summary>
    public bool DropEligible
    {
        get => (_bytes[0] & 0x10) != 0;
        set => _bytes[0] = (byte)(value ? _bytes[0] | 0x10 : _bytes[0] & ~0x10);
    }

    /// <summary>VLAN identifier, 0-4095 (0 = priority tag only, 4095 reserved). Higher bits of a set value are ignored.</summary>
    public ushort VlanId
    {
        get => (ushort)(Tci & 0x0FFF);
        set => Tci = (ushort)((Tci & 0xF000) | (value & 0x0FFF));
    }

    /// <summary>The EtherType of the encapsulated payload, or the inner tag's TPID.</summary>
    public ushort EtherType
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[2..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[2..], value);
    }

    public Span<byte> Payload => _bytes[Length..];
}
