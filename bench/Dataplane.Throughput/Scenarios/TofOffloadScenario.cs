using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using static Dataplane.Throughput.FrameWriter;

namespace Dataplane.Throughput.Scenarios;

/// <summary>
/// TOF, separate ports: uplink G-PDUs from two eNodeBs toward the SGW, many UEs (one TEID each, learned from the
/// first packet), every one addressed to an offloaded service (10.200.0.1 / .2): decapsulated and NATed to the
/// application (203.0.113.10 / .11) out of the apps port. Outer IPv4 + UDP + GTP-U go; a fresh Ethernet header.
/// </summary>
public sealed class TofOffloadScenario : IScenario
{
    public string Name => "tof-offload";

    public string Description => "TOF: uplink G-PDUs to an offloaded service, decapsulated + NAT toward the apps port (many UEs)";

    public int MinimumFrameLength => GtpUDecapScenario.GPduHeaderBytes + Ipv4Bytes + UdpBytes;

    public ushort IngressPort => 0;

    public ushort EgressPort => 2;

    public ForwardingEvent Event => ForwardingEvent.TofOffloaded;

    public int LengthChange => -(Ipv4Bytes + UdpBytes + GtpUBytes);

    public DataplaneConfig Configuration(ScenarioSettings settings) => DataplaneConfigFile.Parse("""
        {
          "roles": ["tof"],
          "ports": [
            { "name": "enb", "mac": "02:00:00:00:e0:01" },
            { "name": "sgw", "mac": "02:00:00:00:e0:02" },
            { "name": "apps", "mac": "02:00:00:00:e0:04" }
          ],
          "neighbours": [
            { "address": "192.0.2.10", "mac": "02:00:00:00:0e:01", "port": "enb" },
            { "address": "192.0.2.11", "mac": "02:00:00:00:0e:02", "port": "enb" },
            { "address": "198.51.100.20", "mac": "02:00:00:00:05:01", "port": "sgw" },
            { "address": "203.0.113.10", "mac": "02:00:00:00:a0:01", "port": "apps" },
            { "address": "203.0.113.11", "mac": "02:00:00:00:a0:02", "port": "apps" }
          ],
          "routes": [
            { "prefix": "192.0.2.0/24", "port": "enb" },
            { "prefix": "198.51.100.0/24", "port": "sgw" },
            { "prefix": "203.0.113.0/24", "port": "apps" }
          ],
          "tof": {
            "enbPort": "enb",
            "sgwPort": "sgw",
            "appsPort": "apps",
            "services": [
              { "name": "video-cache", "serviceIP": "10.200.0.1", "applicationIP": "203.0.113.10" },
              { "name": "game", "serviceIP": "10.200.0.2", "applicationIP": "203.0.113.11" }
            ]
          }
        }
        """);

    public void Populate(ForwardingPlane plane, ScenarioSettings settings)
    {
    }

    public void WriteFrame(Span<byte> frame, int index, ScenarioSettings settings)
    {
        int flow = index % settings.Flows;
        uint enb = 0xC000_020Au + (uint)(flow % 2); // 192.0.2.10 / .11
        GtpUDecapScenario.WriteGPdu(frame, 0x02_00_00_00_05_01, 0x02_00_00_00_0e_01 + (ulong)(flow % 2), enb, 0xC633_6414, 0x1000u + (uint)flow);
        uint service = 0x0AC8_0001u + (uint)(flow % 2); // 10.200.0.1 / .2
        Ipv4Udp(frame[GtpUDecapScenario.GPduHeaderBytes..], GtpUConfiguration.FirstUe + (uint)flow, service, (ushort)(40000 + flow), 8080);
    }
}
