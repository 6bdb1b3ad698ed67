namespace Dataplane.Wire.Tunnels;

/// <summary>The GTP-U message types of 3GPP TS 29.281 section 6.1 (table 6.1-1).</summary>
public enum GtpUMessageType : byte
{
    EchoRequest = 1,
    EchoResponse = 2,
    ErrorIndication = 26,
    SupportedExtensionHeadersNotification = 31,
    TunnelStatus = 253,
    EndMarker = 254,
    GPdu = 255,
}
