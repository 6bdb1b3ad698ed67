using System.Buffers.Binary;

namespace Dataplane.Wire.Tunnels;

/// <summary>
/// A view over a GTPv1-U header (3GPP TS 29.281 section 5.1) that follows UDP port 2152:
/// <code>
/// | Version (3) | PT | (*) | E | S | PN |  Message Type  |        Length (octets after the first 8)     |
/// |                           Tunnel Endpoint Identifier (TEID)                                        |
/// |        Sequence Number         |  N-PDU Number  | Next Extension Header Type |   (when E, S or PN)
/// |  extension headers ... (when E)                                                                    |
/// </code>
/// <see cref="TryCreate"/> refuses anything but version 1 with PT = 1 (GTP' and GTPv2 lay out differently), a length
/// field that runs past the buffer, optional fields the length does not cover, and an extension chain that
/// <see cref="GtpUExtensionHeaderEnumerator"/> calls malformed. Every getter stays in bounds even after a setter has
/// made the fields lie: they clamp to the buffer and report a broken chain as an empty payload.
/// </summary>
public readonly ref struct GtpUHeader
{
    public const int MandatoryLength = 8;
    public const int OptionalFieldsLength = 4;
    public const ushort UdpPort = TunnelPorts.GtpU;
    public const byte Version1 = 1;

    public const byte VersionMask = 0xE0;
    public const byte ProtocolTypeFlag = 0x10;
    public const byte ReservedFlag = 0x08;
    public const byte ExtensionHeaderFlag = 0x04;
    public const byte SequenceNumberFlag = 0x02;
    public const byte NPduNumberFlag = 0x01;

    /// <summary>Any of these makes the sequence number, N-PDU number and next-extension-type octets present.</summary>
    public const byte OptionalFieldFlags = ExtensionHeaderFlag | SequenceNumberFlag | NPduNumberFlag;

    private readonly Span<byte> _bytes;

    private GtpUHeader(Span<byte> bytes) => _bytes = bytes;

    public static bool TryCreate(Span<byte> bytes, out GtpUHeader header)
    {
        header = default;
        if (bytes.Length < MandatoryLength)
        {
            return false;
        }

        byte flags = bytes[0];
        if ((flags & (VersionMask | ProtocolTypeFlag)) != ((Version1 << 5) | ProtocolTypeFlag))
        {
            return false;
        }

        int declared = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
        if (MandatoryLength + declared > bytes.Length)
        {
            return false;
        }

        if ((flags & OptionalFieldFlags) != 0 && declared < OptionalFieldsLength)
        {
            return false;
        }

        var candidate = new GtpUHeader(bytes);
        if (!candidate.ExtensionHeaders.SkipToEnd())
        {
            return false;
        }

        header = candidate;
        return true;
    }

    /// <summary>Wraps a buffer the caller is about to fill; only the mandatory 8 bytes are required.</summary>
    public static bool TryCreateForWrite(Span<byte> bytes, out GtpUHeader header)
    {
        header = bytes.Length >= MandatoryLength ? new GtpUHeader(bytes) : default;
        return bytes.Length >= MandatoryLength;
    }

    public byte Flags
    {
        get => _bytes[0];
        set => _bytes[0] = value;
    }

    public byte Version
    {
        get => (byte)(_bytes[0] >> 5);
        set => _bytes[0] = (byte)((_bytes[0] & ~VersionMask) | (value << 5));
    }

    /// <summary>PT: 1 for GTP, 0 for GTP' (charging), which this view does not parse.</summary>
    public bool ProtocolType
    {
        get => GetFlag(ProtocolTypeFlag);
        set => SetFlag(ProtocolTypeFlag, value);
    }

    /// <summary>The spare bit between PT and E; sent as 0.</summary>
    public bool Reserved
    {
        get => GetFlag(ReservedFlag);
        set => SetFlag(ReservedFlag, value);
    }

    /// <summary>E: the Next Extension Header Type field is meaningful and extensions may follow.</summary>
    public bool ExtensionHeaderPresent
    {
        get => GetFlag(ExtensionHeaderFlag);
        set => SetFlag(ExtensionHeaderFlag, value);
    }

    /// <summary>S: the Sequence Number field is meaningful.</summary>
    public bool SequenceNumberPresent
    {
        get => GetFlag(SequenceNumberFlag);
        set => SetFlag(SequenceNumberFlag, value);
    }

    /// <summary>PN: the N-PDU Number field is meaningful.</summary>
    public bool NPduNumberPresent
    {
        get => GetFlag(NPduNumberFlag);
        set => SetFlag(NPduNumberFlag, value);
    }

    /// <summary>True when any of E, S, PN is set: the 4 optional octets are there, whichever flag asked for them.</summary>
    public bool HasOptionalFields => (_bytes[0] & OptionalFieldFlags) != 0;

    public GtpUMessageType MessageType
    {
        get => (GtpUMessageType)_bytes[1];
        set => _bytes[1] = (byte)value;
    }

    /// <summary>The length field: octets after the mandatory 8 (optional fields, extensions and payload).</summary>
    public ushort Length
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[2..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[2..], value);
    }

    public uint Teid
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(_bytes[4..]);
        set => BinaryPrimitives.WriteUInt32BigEndian(_bytes[4..], value);
    }

    /// <summary>
    /// The Sequence Number octets (read whenever the optional fields exist; TS 29.281 says to ignore them unless S is set).
    /// 0 when they do not exist, and then the setter writes nothing: set a flag and make room first.
    /// </summary>
    public ushort SequenceNumber
    {
        get => HasOptionalFieldBytes ? BinaryPrimitives.ReadUInt16BigEndian(_bytes[8..]) : (ushort)0;
        set
        {
            if (HasOptionalFieldBytes)
            {
                BinaryPrimitives.WriteUInt16BigEndian(_bytes[8..], value);
            }
        }
    }

    /// <summary>The N-PDU Number octet, on the same terms as <see cref="SequenceNumber"/>.</summary>
    public byte NPduNumber
    {
        get => HasOptionalFieldBytes ? _bytes[10] : (byte)0;
        set
        {
            if (HasOptionalFieldBytes)
            {
                _bytes[10] = value;
            }
        }
    }

    /// <summary>The Next Extension Header Type octet, on the same terms as <see cref="SequenceNumber"/>.</summary>
    public GtpUExtensionHeaderType NextExtensionHeaderType
    {
        get => HasOptionalFieldBytes ? (GtpUExtensionHeaderType)_bytes[11] : GtpUExtensionHeaderType.NoMoreExtensionHeaders;
        set
        {
            if (HasOptionalFieldBytes)
            {
                _bytes[11] = (byte)value;
            }
        }
    }

    /// <summary>The extension chain; empty unless E is set. Check <see cref="GtpUExtensionHeaderEnumerator.IsMalformed"/> after a walk over a header built by hand.</summary>
    public GtpUExtensionHeaderEnumerator ExtensionHeaders
    {
        get
        {
            var message = Message;
            int start = HasOptionalFields ? MandatoryLength + OptionalFieldsLength : MandatoryLength;
            byte first = ExtensionHeaderPresent && message.Length >= MandatoryLength + OptionalFieldsLength ? _bytes[11] : (byte)0;
            return new GtpUExtensionHeaderEnumerator(message, start, first);
        }
    }

    /// <summary>Where the T-PDU starts: 8, 12, or 12 plus the extensions. The mandatory 8 when the chain is broken.</summary>
    public int HeaderLength
    {
        get
        {
            var walker = ExtensionHeaders;
            return walker.SkipToEnd() ? walker.Offset : MandatoryLength;
        }
    }

    /// <summary>The message as the length field declares it, cut to the buffer should a setter have made the field lie.</summary>
    public Span<byte> Message => _bytes[..Math.Min(_bytes.Length, MandatoryLength + Length)];

    /// <summary>The T-PDU (or a signalling message's information elements): after the extensions, up to the length field. Empty when the chain is broken.</summary>
    public Span<byte> Payload
    {
        get
        {
            var walker = ExtensionHeaders;
            var message = Message;
            return walker.SkipToEnd() ? message[walker.Offset..] : message[message.Length..];
        }
    }

    /// <summary>
    /// The user plane's one walk of the chain: where the T-PDU starts (as <see cref="HeaderLength"/>) and the QFI of
    /// an uplink PDU Session Container (TS 38.415 section 5.5.2.2), -1 when there is none. False when the chain is
    /// broken.
    /// </summary>
    public bool TryWalkToPayload(out int payloadOffset, out int uplinkQfi)
    {
        uplinkQfi = -1;
        var walker = ExtensionHeaders;
        while (walker.MoveNext())
        {
            if (walker.Current.TryGetPduSessionContainer(out var container) && container.PduType == PduSessionInformationType.Uplink)
            {
                uplinkQfi = container.Qfi;
            }
        }

        payloadOffset = walker.Offset;
        return !walker.IsMalformed;
    }

    /// <summary>The first PDU Session Container in the chain (what a TOF reads the QFI from).</summary>
    public bool TryGetPduSessionContainer(out PduSessionContainer container)
    {
        foreach (var extension in ExtensionHeaders)
        {
            if (extension.TryGetPduSessionContainer(out container))
            {
                return true;
            }
        }

        container = default;
        return false;
    }

    /// <summary>The port of the first UDP Port extension in the chain (Error Indication).</summary>
    public bool TryGetUdpPort(out ushort port)
    {
        foreach (var extension in ExtensionHeaders)
        {
            if (extension.TryGetUdpPort(out port))
            {
                return true;
            }
        }

        port = 0;
        return false;
    }

    private bool HasOptionalFieldBytes => HasOptionalFields && _bytes.Length >= MandatoryLength + OptionalFieldsLength;

    private bool GetFlag(byte mask) => (_bytes[0] & mask) != 0;

    private void SetFlag(byte mask, bool value) => _bytes[0] = value ? (byte)(_bytes[0] | mask) : (byte)(_bytes[0] & ~mask);
}
