using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using static Dataplane.Throughput.FrameWriter;

namespace Dataplane.Throughput.Scenarios;

/// <summary>
/// GTP-U endpoint, uplink (TS 29.281): G-PDUs from the gNB on many TEIDs, decapsulated and routed to the data
/// network: outer IPv4 + UDP + GTP-U go, the routing stage writes a fresh Ethernet header.
/// </summary>
public sealed class GtpUDecapScenario : IScenario
{
    public string Name => "gtpu-decap";

    public string Description => "GTP-U: uplink G-PDUs of many UE tunnels decapsulated and routed to the data network";

    public int MinimumFrameLength => EthernetBytes + Ipv4Bytes + UdpBytes + GtpUBytes + Ipv4Bytes + UdpBytes;

    public ushort IngressPort => 0;

    public ushort EgressPort => 1;

    public ForwardingEvent Event => ForwardingEvent.GtpUDecapsulated;

    public int LengthChange => -(Ipv4Bytes + UdpBytes + GtpUBytes);

    public DataplaneConfig Configuration(ScenarioSettings settings) => DataplaneConfigFile.Parse(GtpUConfiguration.Json(settings.Flows, "n3"));

    public void Populate(ForwardingPlane plane, ScenarioSettings settings)
    {
    }

    public void WriteFrame(Span<byte> frame, int index, ScenarioSettings settings)
    {
        int flow = index % settings.Flows;
        WriteGPdu(frame, 0x02_00_00_00_03_01, 0x02_00_00_00_0a_0a, GtpUConfiguration.Gnb, GtpUConfiguration.Local, GtpUConfiguration.FirstTeidIn + (uint)flow);
        Ipv4Udp(frame[GPduHeaderBytes..], GtpUConfiguration.FirstUe + (uint)flow, 0xCB00_7100u + (uint)(flow % 250) + 1, (ushort)(40000 + flow), 443);
    }

    internal const int GPduHeaderBytes = EthernetBytes + Ipv4Bytes + UdpBytes + GtpUBytes;

    /// <summary>Ethernet / IPv4 / UDP 2152 -> 2152 / G-PDU header; the inner packet follows at <see cref="GPduHeaderBytes"/>.</summary>
    internal static void WriteGPdu(Span<byte> frame, ulong destinationMac, ulong sourceMac, uint source, uint destination, uint teid)
    {
        int offset = Ethernet(frame, destinationMac, sourceMac, EtherTypeIpv4);
        offset += Ipv4(frame[offset..], source, destination, 17);
        offset += Udp(frame[offset..], 2152, 2152);
        GtpUGPdu(frame[offset..], teid, frame.Length - GPduHeaderBytes);
    }
}
