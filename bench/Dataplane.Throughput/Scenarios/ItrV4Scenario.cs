using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using static Dataplane.Throughput.FrameWriter;

namespace Dataplane.Throughput.Scenarios;

/// <summary>
/// LISP ITR, IPv4 in IPv4: the frames of itr_baseline.c byte for byte at 64 bytes (10.1.0.10 -> host .1 of a
/// map-cache prefix, UDP 5000 -> 5001 without checksum, zero payload)
/// encapsulated toward the prefix's RLOC (RFC 9300 section 5): outer Ethernet + IPv4 + UDP + LISP replace the inner
/// Ethernet header.
/// </summary>
public sealed class ItrV4Scenario : IScenario
{
    public string Name => "itr-v4";

    public string Description => "LISP ITR: IPv4 EID packets encapsulated in IPv4 toward the RLOC of the map-cache (--prefixes /24s)";

    public int MinimumFrameLength => Math.Max(60, EthernetBytes + Ipv4Bytes + UdpBytes);

    public ushort IngressPort => 0;

    public ushort EgressPort => 1;

    public ForwardingEvent Event => ForwardingEvent.LispEncapsulated;

    public int LengthChange => Ipv4Bytes + UdpBytes + LispBytes;

    public DataplaneConfig Configuration(ScenarioSettings settings) => DataplaneConfigFile.Parse(ItrConfiguration.Json);

    public void Populate(ForwardingPlane plane, ScenarioSettings settings) => MapCacheGenerator.Populate(plane, settings.Prefixes, ipv6: false);

    public void WriteFrame(Span<byte> frame, int index, ScenarioSettings settings)
    {
        int prefix = MapCacheGenerator.Destination(index, settings.Prefixes);
        Ethernet(frame, ItrConfiguration.EidPortMac, ItrConfiguration.HostMac, EtherTypeIpv4);
        Ipv4Udp(frame[EthernetBytes..], ItrConfiguration.Host, MapCacheGenerator.Ipv4Destination(prefix), 5000, 5001, udpChecksum: false);
    }
}
