using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using static Dataplane.Throughput.FrameWriter;

namespace Dataplane.Throughput.Scenarios;

/// <summary>
/// GTP-U endpoint, downlink (TS 29.281): IPv4 packets from the data network to many UEs, each encapsulated in its
/// tunnel's G-PDU toward the gNB: the inner Ethernet header gives way to Ethernet + IPv4 + UDP + GTP-U.
/// </summary>
public sealed class GtpUEncapScenario : IScenario
{
    public string Name => "gtpu-encap";

    public string Description => "GTP-U: downlink IPv4 packets encapsulated into the G-PDU of one of many UE tunnels";

    public int MinimumFrameLength => Math.Max(60, EthernetBytes + Ipv4Bytes + UdpBytes);

    public ushort IngressPort => 0;

    public ushort EgressPort => 1;

    public ForwardingEvent Event => ForwardingEvent.GtpUEncapsulated;

    public int LengthChange => Ipv4Bytes + UdpBytes + GtpUBytes;

    public DataplaneConfig Configuration(ScenarioSettings settings) => DataplaneConfigFile.Parse(GtpUConfiguration.Json(settings.Flows, "n6"));

    public void Populate(ForwardingPlane plane, ScenarioSettings settings)
    {
    }

    public void WriteFrame(Span<byte> frame, int index, ScenarioSettings settings)
    {
        int flow = index % settings.Flows;
        Ethernet(frame, 0x02_00_00_00_06_01, 0x02_00_00_00_06_fe, EtherTypeIpv4);
        Ipv4Udp(frame[EthernetBytes..], 0xCB00_7100u + (uint)(flow % 250) + 1, GtpUConfiguration.FirstUe + (uint)flow, 443, (ushort)(40000 + flow));
    }
}
