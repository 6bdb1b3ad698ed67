namespace Dataplane.Control.Rest;

/// <summary>
/// One learned UE session as GET /tunnel shows it: the uplink half (eNB/gNB address and TEID, learned from
/// eNB-to-SGW G-PDUs) and the downlink half (SGW/UPF address and TEID, learned from SGW-to-eNB G-PDUs or the pinger);
/// either may be unknown yet (null). <paramref name="Qfi"/> is the PDU session container's QoS flow, when present.
/// </summary>
public sealed record TofTunnelView(
    string UeIp, string? EnbAddress, uint? UplinkTeid, string? SgwAddress, uint? DownlinkTeid, byte? Qfi, DateTimeOffset LastSeen);
