using System.Text;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using static Dataplane.Throughput.FrameWriter;

namespace Dataplane.Throughput.Scenarios;

/// <summary>
/// VXLAN VTEP, L2 decapsulation (RFC 7348): VXLAN packets from a known remote VTEP, VNI 5000, inner frames from many
/// remote hosts (learned behind the VTEP) to 64 MACs statically on access0; outer Ethernet + IPv4 + UDP + VXLAN go.
/// </summary>
public sealed class VtepDecapScenario : IScenario
{
    private const int LocalMacs = 64;

    public string Name => "vtep-decap";

    public string Description => "VXLAN VTEP: decapsulation of L2 frames to an access port (64 static MACs, many remote hosts)";

    public int MinimumFrameLength => EthernetBytes + Ipv4Bytes + UdpBytes + VxlanBytes + EthernetBytes + Ipv4Bytes + UdpBytes;

    public ushort IngressPort => 0;

    public ushort EgressPort => 1;

    public ForwardingEvent Event => ForwardingEvent.VxlanDecapsulated;

    public int LengthChange => -(EthernetBytes + Ipv4Bytes + UdpBytes + VxlanBytes);

    public DataplaneConfig Configuration(ScenarioSettings settings)
    {
        var macs = new StringBuilder();
        for (int i = 0; i < LocalMacs; i++)
        {
            macs.Append(i == 0 ? "" : ",").Append($$"""{ "mac": "02:00:00:00:03:{{i:x2}}", "port": "access0" }""");
        }

        return DataplaneConfigFile.Parse($$"""
            {
              "roles": ["vtep"],
              "ports": [
                { "name": "underlay", "mac": "02:00:00:00:00:b1", "addresses": ["192.0.2.1"] },
                { "name": "access0", "mac": "02:00:00:00:00:a0" }
              ],
              "neighbours": [{ "address": "192.0.2.254", "mac": "02:00:00:00:00:fe", "port": "underlay" }],
              "routes": [{ "prefix": "198.51.100.0/24", "nextHop": "192.0.2.254", "port": "underlay" }],
              "vxlan": {
                "localVteps": ["192.0.2.1"],
                "bridgeDomains": [{
                  "vni": 5000,
                  "ports": ["access0"],
                  "remoteVteps": ["198.51.100.2"],
                  "staticMacs": [{{macs}}]
                }]
              }
            }
            """);
    }

    public void Populate(ForwardingPlane plane, ScenarioSettings settings)
    {
    }

    public void WriteFrame(Span<byte> frame, int index, ScenarioSettings settings)
    {
        int flow = index % settings.Flows;
        int offset = Ethernet(frame, 0x02_00_00_00_00_b1, 0x02_00_00_00_00_fe, EtherTypeIpv4);
        offset += Ipv4(frame[offset..], 0xC633_6402, 0xC000_0201, 17); // 198.51.100.2 -> 192.0.2.1
        offset += Udp(frame[offset..], (ushort)(49152 + flow), 4789);
        offset += Vxlan(frame[offset..], 5000);
        offset += Ethernet(frame[offset..], 0x02_00_00_00_03_00UL + (ulong)(flow % LocalMacs), 0x02_cc_00_00_00_00UL + (ulong)flow, EtherTypeIpv4);
        Ipv4Udp(frame[offset..], 0x0A00_8000u + (uint)flow, 0x0A00_0000u + (uint)(flow % LocalMacs), (ushort)(5000 + flow), 5001);
    }
}
