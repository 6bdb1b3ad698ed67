using System.Buffers.Binary;

namespace Dataplane.Wire.Tunnels;

/// <summary>
/// One GTP-U extension header (3GPP TS 29.281 section 5.2.1): a length octet counting 4-octet units, the content,
/// and the type of the next extension (0 ends the chain). Its own type is carried by the header before it,
/// so the walker passes it in. Only <see cref="GtpUExtensionHeaderEnumerator"/> makes these, always in bounds.
/// </summary>
public readonly ref struct GtpUExtensionHeader
{
    private readonly Span<byte> _bytes;

    internal GtpUExtensionHeader(GtpUExtensionHeaderType type, Span<byte> bytes)
    {
        Type = type;
        _bytes = bytes;
    }

    public GtpUExtensionHeaderType Type { get; }

    /// <summary>The whole extension in bytes: 4 times the length octet.</summary>
    public int Length => _bytes.Length;

    /// <summary>The octets between the length octet and the next-type octet.</summary>
    public Span<byte> Content => _bytes[1..^1];

    public GtpUExtensionHeaderType NextType
    {
        get => (GtpUExtensionHeaderType)_bytes[^1];
        set => _bytes[^1] = (byte)value;
    }

    /// <summary>The PDU Session Container view when this is one (type 0x85).</summary>
    public bool TryGetPduSessionContainer(out PduSessionContainer container)
    {
        container = default;
        return Type == GtpUExtensionHeaderType.PduSessionContainer && PduSessionContainer.TryCreate(Content, out container);
    }

    /// <summary>The UDP Port extension's port (type 0x40, section 5.2.2.1), carried in Error Indications.</summary>
    public bool TryGetUdpPort(out ushort port)
    {
        bool ok = Type == GtpUExtensionHeaderType.UdpPort && Content.Length >= 2;
        port = ok ? BinaryPrimitives.ReadUInt16BigEndian(Content) : (ushort)0;
        return ok;
    }

    public bool TrySetUdpPort(ushort port)
    {
        if (Type != GtpUExtensionHeaderType.UdpPort || Content.Length < 2)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(Content, port);
        return true;
    }
}
