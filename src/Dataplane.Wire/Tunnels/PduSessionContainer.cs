namespace Dataplane.Wire.Tunnels;

/// <summary>
/// A view over the content of a PDU Session Container extension header (type 0x85; 3GPP TS 38.415 section 5.5.2),
/// that is the octets between the extension's length octet and its next-type octet:
/// <code>
/// DL: | PDU Type (4) | QMP | SNP | MSNP | spare |   | PPP | RQI |  QFI (6)  |   [ PPI (3) | spare (5) ] ...
/// UL: | PDU Type (4) | QMP | DL Delay | UL Delay | SNP |   | N3/N9 Delay | New IE |  QFI (6)  | ...
/// </code>
/// The extension walker only hands this out for content of at least two octets, which every accessor but
/// <see cref="Ppi"/> needs; PPI is read only when its octet exists.
/// </summary>
public readonly ref struct PduSessionContainer
{
    public const int MinimumContentLength = 2;

    private const byte PppBit = 0x80;
    private const byte RqiBit = 0x40;
    private const byte QfiMask = 0x3F;

    private readonly Span<byte> _content;

    private PduSessionContainer(Span<byte> content) => _content = content;

    /// <summary>Wraps extension content (not the length or next-type octets) of at least two octets.</summary>
    public static bool TryCreate(Span<byte> content, out PduSessionContainer container)
    {
        container = content.Length >= MinimumContentLength ? new PduSessionContainer(content) : default;
        return content.Length >= MinimumContentLength;
    }

    public PduSessionInformationType PduType
    {
        get => (PduSessionInformationType)(_content[0] >> 4);
        set => _content[0] = (byte)((_content[0] & 0x0F) | ((byte)value << 4));
    }

    /// <summary>The QoS Flow Identifier (6 bits): the flow the UPF or gNB maps this packet to.</summary>
    public byte Qfi
    {
        get => (byte)(_content[1] & QfiMask);
        set => _content[1] = (byte)((_content[1] & ~QfiMask) | (value & QfiMask));
    }

    /// <summary>Reflective QoS Indication, a DL field; in UL PDU information the same bit is the New IE flag.</summary>
    public bool Rqi
    {
        get => (_content[1] & RqiBit) != 0;
        set => _content[1] = value ? (byte)(_content[1] | RqiBit) : (byte)(_content[1] & ~RqiBit);
    }

    /// <summary>Paging Policy Presence, a DL field (the PPI octet follows); in UL the same bit is N3/N9 Delay Ind.</summary>
    public bool Ppp
    {
        get => (_content[1] & PppBit) != 0;
        set => _content[1] = value ? (byte)(_content[1] | PppBit) : (byte)(_content[1] & ~PppBit);
    }

    /// <summary>Whether the Paging Policy Indicator octet is there to read: DL, PPP set and the content long enough.</summary>
    public bool HasPpi => PduType == PduSessionInformationType.Downlink && Ppp && _content.Length > 2;

    /// <summary>The 3-bit Paging Policy Indicator; 0 when <see cref="HasPpi"/> is false, and then the setter writes nothing.</summary>
    public byte Ppi
    {
        get => HasPpi ? (byte)(_content[2] >> 5) : (byte)0;
        set
        {
            if (HasPpi)
            {
                _content[2] = (byte)((_content[2] & 0x1F) | ((value & 0x07) << 5));
            }
        }
    }

    /// <summary>The raw content, for fields this view does not name (QMP timestamps, sequence numbers).</summary>
    public Span<byte> Content => _content;
}
