using System.Buffers.Binary;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using static Dataplane.Throughput.FrameWriter;

namespace Dataplane.Throughput.Scenarios;

/// <summary>
/// NSH service function forwarder (RFC 8300), one hop: NSH (MD type 1) over VXLAN-GPE back from function fw1 with SI
/// 254 on path 10, sent on to function dpi1 over Ethernet (EtherType 0x894F): outer Ethernet + IPv4 + UDP + GPE go, a
/// fresh Ethernet header comes, the NSH TTL is decremented.
/// </summary>
public sealed class NshSffScenario : IScenario
{
    private const int NshBytes = 24;

    public string Name => "nsh-sff";

    public string Description => "NSH SFF: VXLAN-GPE from one service function to the next over Ethernet (TTL, SPI/SI lookup)";

    public int MinimumFrameLength => EthernetBytes + Ipv4Bytes + UdpBytes + VxlanBytes + NshBytes + Ipv4Bytes + UdpBytes;

    public ushort IngressPort => 0;

    public ushort EgressPort => 1;

    public ForwardingEvent Event => ForwardingEvent.NshForwarded;

    public int LengthChange => -(Ipv4Bytes + UdpBytes + VxlanBytes);

    public DataplaneConfig Configuration(ScenarioSettings settings) => DataplaneConfigFile.Parse("""
        {
          "ports": [
            { "name": "underlay", "mac": "02:00:00:00:00:b1", "addresses": ["192.0.2.1"] },
            { "name": "sf", "mac": "02:00:00:00:00:5f" }
          ],
          "neighbours": [{ "address": "192.0.2.254", "mac": "02:00:00:00:00:fe", "port": "underlay" }],
          "routes": [{ "prefix": "198.51.100.0/24", "nextHop": "192.0.2.254", "port": "underlay" }],
          "nsh": {
            "serviceFunctions": [
              { "name": "fw1", "transport": "vxlan-gpe", "address": "198.51.100.21" },
              { "name": "dpi1", "transport": "ethernet", "mac": "02:00:00:00:00:21", "port": "sf" }
            ],
            "servicePaths": [{ "spi": 10, "hops": ["fw1", "dpi1"] }]
          }
        }
        """);

    public void Populate(ForwardingPlane plane, ScenarioSettings settings)
    {
    }

    public void WriteFrame(Span<byte> frame, int index, ScenarioSettings settings)
    {
        int flow = index % settings.Flows;
        int offset = Ethernet(frame, 0x02_00_00_00_00_b1, 0x02_00_00_00_00_fe, EtherTypeIpv4);
        offset += Ipv4(frame[offset..], 0xC633_6415, 0xC000_0201, 17); // 198.51.100.21 -> 192.0.2.1
        offset += Udp(frame[offset..], (ushort)(49152 + (flow & 0x3FFF)), 4790);
        // VXLAN-GPE: I and P set, next protocol 4 (NSH), VNI 0.
        BinaryPrimitives.WriteUInt32BigEndian(frame[offset..], 0x0C00_0004);
        BinaryPrimitives.WriteUInt32BigEndian(frame[(offset + 4)..], 0);
        offset += VxlanBytes;
        // NSH MD type 1: TTL 63, Length 6, next protocol IPv4, SPI 10, SI 254, zero context.
        BinaryPrimitives.WriteUInt32BigEndian(frame[offset..], 0x0FC6_0101);
        BinaryPrimitives.WriteUInt32BigEndian(frame[(offset + 4)..], (10u << 8) | 254);
        frame.Slice(offset + 8, 16).Clear();
        offset += NshBytes;
        Ipv4Udp(frame[offset..], 0x0A09_0000u + (uint)flow, 0x0A01_0005u, (ushort)(5000 + (flow & 0x7FFF)), 443);
    }
}
