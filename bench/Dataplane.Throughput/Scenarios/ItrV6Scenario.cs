using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Wire.Addresses;
using static Dataplane.Throughput.FrameWriter;

namespace Dataplane.Throughput.Scenarios;

/// <summary>LISP ITR, IPv6 in IPv4: 2001:db8:1::10 -> ::1 of a /64 of the map-cache, encapsulated toward its IPv4 RLOC.</summary>
public sealed class ItrV6Scenario : IScenario
{
    private static readonly Ipv6Address Host = new(0x2001_0db8_0001_0000UL, 0x10);

    public string Name => "itr-v6";

    public string Description => "LISP ITR: IPv6 EID packets encapsulated in IPv4 toward the RLOC of the map-cache (--prefixes /64s)";

    public int MinimumFrameLength => Math.Max(60, EthernetBytes + Ipv6Bytes + UdpBytes);

    public ushort IngressPort => 0;

    public ushort EgressPort => 1;

    public ForwardingEvent Event => ForwardingEvent.LispEncapsulated;

    public int LengthChange => Ipv4Bytes + UdpBytes + LispBytes;

    public DataplaneConfig Configuration(ScenarioSettings settings) => DataplaneConfigFile.Parse(ItrConfiguration.Json);

    public void Populate(ForwardingPlane plane, ScenarioSettings settings) => MapCacheGenerator.Populate(plane, settings.Prefixes, ipv6: true);

    public void WriteFrame(Span<byte> frame, int index, ScenarioSettings settings)
    {
        int prefix = MapCacheGenerator.Destination(index, settings.Prefixes);
        Ethernet(frame, ItrConfiguration.EidPortMac, ItrConfiguration.HostMac, EtherTypeIpv6);
        Ipv6Udp(frame[EthernetBytes..], Host, MapCacheGenerator.Ipv6Destination(prefix), 5000, 5001);
    }
}
