using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using static Dataplane.Throughput.FrameWriter;

namespace Dataplane.Throughput.Scenarios;

/// <summary>
/// LISP RTR: LISP packets from remote xTRs (203.0.113.x) to our RLOC, instance 7, inner 10.1.0.10 -> the
/// itr_baseline.c destinations; decapsulated and re-encapsulated toward the RLOC the 1M-prefix map-cache gives
/// (RFC 9300: an RTR is an ETR and an ITR in one). Outer headers replaced, same length.
/// </summary>
public sealed class RtrScenario : IScenario
{
    public string Name => "rtr";

    public string Description => "LISP RTR: decapsulation + re-encapsulation through the map-cache (--prefixes /24s)";

    public int MinimumFrameLength => EthernetBytes + Ipv4Bytes + UdpBytes + LispBytes + Ipv4Bytes + UdpBytes;

    public ushort IngressPort => 1;

    public ushort EgressPort => 1;

    public ForwardingEvent Event => ForwardingEvent.LispReencapsulated;

    public int LengthChange => 0;

    public DataplaneConfig Configuration(ScenarioSettings settings) => DataplaneConfigFile.Parse("""
        {
          "roles": ["rtr"],
          "ports": [
            { "name": "eid-side", "mac": "02:00:00:00:00:01", "instanceId": 7, "addresses": ["10.1.0.254"] },
            { "name": "rloc-side", "mac": "02:00:00:00:00:02", "mtu": 9000, "addresses": ["192.0.2.1"] }
          ],
          "neighbours": [
            { "address": "192.0.2.254", "mac": "02:00:00:00:ff:01", "port": "rloc-side" },
            { "address": "10.1.0.10", "mac": "02:00:00:00:10:0a", "port": "eid-side" }
          ],
          "routes": [
            { "prefix": "0.0.0.0/0", "nextHop": "192.0.2.254", "port": "rloc-side" },
            { "prefix": "[7]10.1.0.0/24", "port": "eid-side" }
          ],
          "lisp": {
            "localRlocs": [{ "address": "192.0.2.1" }],
            "localEids": []
          }
        }
        """);

    public void Populate(ForwardingPlane plane, ScenarioSettings settings) => MapCacheGenerator.Populate(plane, settings.Prefixes, ipv6: false);

    public void WriteFrame(Span<byte> frame, int index, ScenarioSettings settings)
    {
        int prefix = MapCacheGenerator.Destination(index, settings.Prefixes);
        int flow = index % settings.Flows;
        EtrV4Scenario.WriteLispFrame(frame, 0x02_00_00_00_00_02, 0xCB00_7100u + (uint)(flow % 250) + 1, flow, instanceId: 7);
        Ipv4Udp(frame[(EthernetBytes + Ipv4Bytes + UdpBytes + LispBytes)..], ItrConfiguration.Host, MapCacheGenerator.Ipv4Destination(prefix), 5000, 5001);
    }
}
