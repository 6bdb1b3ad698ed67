using System.Text;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using static Dataplane.Throughput.FrameWriter;

namespace Dataplane.Throughput.Scenarios;

/// <summary>
/// VXLAN VTEP, L2 encapsulation (RFC 7348): frames from many hosts (source MACs learned on access0) to 64 remote
/// MACs statically behind two remote VTEPs; the whole frame gets outer Ethernet + IPv4 + UDP + VXLAN in front.
/// </summary>
public sealed class VtepEncapScenario : IScenario
{
    internal const int RemoteMacs = 64;

    public string Name => "vtep-encap";

    public string Description => "VXLAN VTEP: L2 frames from an access port encapsulated toward 2 remote VTEPs (64 static MACs)";

    public int MinimumFrameLength => Math.Max(60, EthernetBytes + Ipv4Bytes + UdpBytes);

    public ushort IngressPort => 0;

    public ushort EgressPort => 2;

    public ForwardingEvent Event => ForwardingEvent.VxlanEncapsulated;

    public int LengthChange => EthernetBytes + Ipv4Bytes + UdpBytes + VxlanBytes;

    public DataplaneConfig Configuration(ScenarioSettings settings)
    {
        var macs = new StringBuilder();
        for (int i = 0; i < RemoteMacs; i++)
        {
            macs.Append(i == 0 ? "" : ",").Append($$"""{ "mac": "02:aa:00:00:01:{{i:x2}}", "vtep": "198.51.100.{{2 + (i % 2)}}" }""");
        }

        return DataplaneConfigFile.Parse($$"""
            {
              "roles": ["vtep"],
              "ports": [
                { "name": "access0", "mac": "02:00:00:00:00:a0" },
                { "name": "access1", "mac": "02:00:00:00:00:a1" },
                { "name": "underlay", "mac": "02:00:00:00:00:b1", "mtu": 9000, "addresses": ["192.0.2.1"] }
              ],
              "neighbours": [{ "address": "192.0.2.254", "mac": "02:00:00:00:00:fe", "port": "underlay" }],
              "routes": [{ "prefix": "198.51.100.0/24", "nextHop": "192.0.2.254", "port": "underlay" }],
              "vxlan": {
                "localVteps": ["192.0.2.1"],
                "bridgeDomains": [{
                  "vni": 5000,
                  "ports": ["access0", "access1"],
                  "remoteVteps": ["198.51.100.2", "198.51.100.3"],
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
        Ethernet(frame, 0x02_aa_00_00_01_00UL + (ulong)(flow % RemoteMacs), 0x02_bb_00_00_00_00UL + (ulong)flow, EtherTypeIpv4);
        Ipv4Udp(frame[EthernetBytes..], 0x0A00_0000u + (uint)flow, 0x0A00_8000u + (uint)(flow % RemoteMacs), (ushort)(5000 + flow), 5001);
    }
}
