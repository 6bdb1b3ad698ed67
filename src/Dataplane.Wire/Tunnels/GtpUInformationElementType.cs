namespace Dataplane.Wire.Tunnels;

/// <summary>
/// The information elements of GTP-U signalling messages (3GPP TS 29.281 section 8). Types below 128 are TV (a fixed
/// value length per type), types from 128 up are TLV with a 2-octet length, except the Extension Header Type List,
/// whose length is one octet (section 8.5).
/// </summary>
public enum GtpUInformationElementType : byte
{
    /// <summary>TV, one octet: the restart counter, always 0 in GTP-U (section 8.2).</summary>
    Recovery = 14,

    /// <summary>TV, four octets: the TEID of the G-PDU that could not be delivered (section 8.3).</summary>
    TunnelEndpointIdentifierDataI = 16,

    /// <summary>TLV: the IPv4 (4 octets) or IPv6 (16 octets) address of the endpoint sending an Error Indication (section 8.4).</summary>
    GtpUPeerAddress = 133,

    /// <summary>Type, a one-octet count, then that many extension header types (section 8.5).</summary>
    ExtensionHeaderTypeList = 141,

    /// <summary>TLV: vendor data (section 8.6).</summary>
    PrivateExtension = 255,
}
