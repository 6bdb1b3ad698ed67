namespace Dataplane.Wire.Tunnels;

/// <summary>The PDU Type of a PDU Session Container (3GPP TS 38.415 section 5.5.3.1).</summary>
public enum PduSessionInformationType : byte
{
    /// <summary>DL PDU SESSION INFORMATION, sent by the UPF toward the gNB.</summary>
    Downlink = 0,

    /// <summary>UL PDU SESSION INFORMATION, sent by the gNB toward the UPF.</summary>
    Uplink = 1,
}
