using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using static Dataplane.Throughput.FrameWriter;

namespace Dataplane.Throughput.Scenarios;

/// <summary>
/// LISP ETR: IPv4-in-IPv4 LISP packets from 250 remote RLOCs to our RLOC 192.0.2.1, instance 7, inner flows
/// 10.2.x.y:5000+i -> 10.1.0.10:5001 (one per flow); decapsulated (RFC 9300 section 7) and routed to the site host.
/// The outer IPv4 + UDP + LISP go; the routing stage writes a fresh Ethernet header.
/// </summary>
public sealed class EtrV4Scenario : IScenario
{
    public string Name => "etr-v4";

    public string Description => "LISP ETR: IPv4-in-IPv4 decapsulation to native IPv4, routed to the site (many flows)";

    public int MinimumFrameLength => EthernetBytes + Ipv4Bytes + UdpBytes + LispBytes + Ipv4Bytes + UdpBytes;

    public ushort IngressPort => 0;

    public ushort EgressPort => 1;

    public ForwardingEvent Event => ForwardingEvent.LispDecapsulated;

    public int LengthChange => -(Ipv4Bytes + UdpBytes + LispBytes);

    public DataplaneConfig Configuration(ScenarioSettings settings) => DataplaneConfigFile.Parse("""
        {
          "roles": ["etr"],
          "ports": [
            { "name": "rloc-side", "mac": "02:00:00:00:00:01", "addresses": ["192.0.2.1"] },
            { "name": "eid-side", "mac": "02:00:00:00:01:01", "addresses": ["10.1.0.1"] }
          ],
          "neighbours": [
            { "address": "192.0.2.254", "mac": "02:00:00:00:00:fe", "port": "rloc-side" },
            { "address": "10.1.0.10", "mac": "02:00:00:00:01:0a", "port": "eid-side" }
          ],
          "routes": [
            { "prefix": "0.0.0.0/0", "nextHop": "192.0.2.254", "port": "rloc-side" },
            { "prefix": "[7]10.1.0.0/24", "port": "eid-side" }
          ],
          "lisp": {
            "localRlocs": [{ "address": "192.0.2.1" }],
            "localEids": ["[7]10.1.0.0/24"]
          }
        }
        """);

    public void Populate(ForwardingPlane plane, ScenarioSettings settings)
    {
    }

    public void WriteFrame(Span<byte> frame, int index, ScenarioSettings settings)
    {
        int flow = index % settings.Flows;
        uint remoteRloc = MapCacheGenerator.Rloc(flow);
        WriteLispFrame(frame, 0x02_00_00_00_00_01, remoteRloc, flow, instanceId: 7);
        Ipv4Udp(frame[(EthernetBytes + Ipv4Bytes + UdpBytes + LispBytes)..], 0x0A02_0000u + (uint)flow, 0x0A01_000A, (ushort)(5000 + flow), 5001);
    }

    /// <summary>Ethernet / IPv4 (remote RLOC -> 192.0.2.1) / UDP (source port from the flow, 4341, checksum 0) / LISP.</summary>
    internal static void WriteLispFrame(Span<byte> frame, ulong portMac, uint remoteRloc, int flow, uint instanceId)
    {
        int offset = Ethernet(frame, portMac, 0x02_00_00_00_00_fe, EtherTypeIpv4);
        offset += Ipv4(frame[offset..], remoteRloc, 0xC000_0201, 17);
        offset += Udp(frame[offset..], (ushort)(49152 + (flow & 0x3FFF)), 4341);
        Lisp(frame[offset..], (uint)flow * 2654435761u, instanceId);
    }
}
