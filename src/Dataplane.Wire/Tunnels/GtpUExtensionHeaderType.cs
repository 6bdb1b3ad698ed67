namespace Dataplane.Wire.Tunnels;

/// <summary>
/// Next Extension Header Type values (3GPP TS 29.281 figure 5.2.1-3). The two high bits say what a receiver that
/// does not know the type must do (5.2.1): 00 comprehension not required, 10 required by the endpoint, and so on.
/// </summary>
public enum GtpUExtensionHeaderType : byte
{
    NoMoreExtensionHeaders = 0x00,
    MbmsSupportIndication = 0x01,
    MsInfoChangeReportingSupportIndication = 0x02,
    ServiceClassIndicator = 0x20,
    UdpPort = 0x40,
    RanContainer = 0x81,
    LongPdcpPduNumber = 0x82,
    XwRanContainer = 0x83,
    NrRanContainer = 0x84,
    PduSessionContainer = 0x85,
    PdcpPduNumber = 0xC0,
}
