using BenchmarkDotNet.Attributes;
using Dataplane.Wire.Headers;

namespace Dataplane.Benchmarks;

/// <summary>
/// The wire header views of the native families, per parse: each benchmark is one checked <c>TryCreate</c> (or walk)
/// over the header's own bytes plus the reads a classifier makes of it, on frames from Scapy. <c>EthernetUntagged</c>
/// and <c>EthernetQinQ</c> walk the tags to the L3 offset (<see cref="EthernetTagWalker"/>; 802.1ad 100 + 802.1Q 200);
/// <c>Ipv6ExtensionChain</c> walks hop-by-hop (router alert) + routing (type 0, one address) + fragment (offset 0,
/// M=1) to UDP (<see cref="Ipv6ExtensionWalker"/>). Every benchmark returns -1 on a failed parse and setup throws if
/// any does (or reads a wrong field), so no figure measures a rejection. Compare with the 67 ns per-packet budget
/// of 10GbE line rate: a parse is a few of those nanoseconds.
/// </summary>
[MemoryDiagnoser]
public class WireHeaderParseBenchmarks
{
    private readonly byte[] _untagged = Convert.FromHexString("02000000000b02000000000a08004500002e00010000401166ba0a0100010a02000113881389001ac4a4000000000000000000000000000000000000");
    private readonly byte[] _qinq = Convert.FromHexString("02000000000b02000000000a88a80064810000c808004500002e00010000401166ba0a0100010a02000113881389001ac4a4000000000000000000000000000000000000");
    private readonly byte[] _arp = Convert.FromHexString("000108000604000102000000000a0a0100010000000000000a0100fe");
    private readonly byte[] _ipv4Udp = Convert.FromHexString("4500002e00010000401166ba0a0100010a02000113881389001ac4a4000000000000000000000000000000000000");
    private readonly byte[] _ipv6Extensions = Convert.FromHexString(
        "600000000042004020010db800010000000000000000001020010db80002000000000000000000012b000502000001002c0200010000000020010db8000300000000000000000001110000010000123413881389001a7d22000000000000000000000000000000000000");
    private readonly byte[] _tcp = Convert.FromHexString("9c4001bb00000001000000008002200000000000020405b40402030307000000");
    private readonly byte[] _icmpv4 = Convert.FromHexString("0800f7fd000100010000000000000000000000000000000000000000000000000000000000000000");
    private readonly byte[] _icmpv6 = Convert.FromHexString("80000000000100010000000000000000000000000000000000000000000000000000000000000000");
    private byte[] _udp = [];

    [GlobalSetup]
    public void Setup()
    {
        _udp = _ipv4Udp[20..];
        var expected = new (string Name, Func<int> Parse, int Value)[]
        {
            ("EthernetUntagged", EthernetUntagged, 14), ("EthernetQinQ", EthernetQinQ, 22 + 200), ("Arp", Arp, 1),
            ("Ipv4", Ipv4, 17 + 46), ("Ipv6ExtensionChain", Ipv6ExtensionChain, 17 + 3 + 40 + 8 + 24 + 8), ("Udp", Udp, 5001 + 26),
            ("Tcp", Tcp, 443 + 32 + 1), ("Icmpv4", Icmpv4, 8), ("Icmpv6", Icmpv6, 128),
        };
        foreach (var (name, parse, value) in expected)
        {
            if (parse() != value)
            {
                throw new InvalidOperationException($"{name} returned {parse()}, expected {value}: the benchmark would not measure a successful parse");
            }
        }
    }

    [Benchmark]
    public int EthernetUntagged() => EthernetTagWalker.TryWalk(_untagged, out var layout) && layout.EtherType == EtherType.Ipv4 ? layout.L3Offset + layout.TagCount : -1;

    [Benchmark]
    public int EthernetQinQ() => EthernetTagWalker.TryWalk(_qinq, out var layout) && layout.TagCount == 2 && layout.OuterVlanId == 100 ? layout.L3Offset + layout.InnerVlanId : -1;

    [Benchmark]
    public int Arp() => ArpHeader.TryCreate(_arp, out var arp) && arp.ProtocolType == EtherType.Ipv4 && arp.TargetProtocolAddress.Value != 0 ? arp.Operation : -1;

    [Benchmark]
    public int Ipv4() => Ipv4Header.TryCreate(_ipv4Udp, out var ip) && !ip.IsFragment && ip.Destination.Value != 0 ? ip.Protocol + ip.TotalLength : -1;

    [Benchmark]
    public int Ipv6ExtensionChain() =>
        Ipv6Header.TryCreate(_ipv6Extensions, out var ip) && ip.TryWalkExtensions(out var chain) && chain.IsUpperLayerHeaderPresent
            ? chain.UpperLayerProtocol + chain.ExtensionCount + chain.UpperLayerOffset
            : -1;

    [Benchmark]
    public int Udp() => UdpHeader.TryCreate(_udp, out var udp) ? udp.DestinationPort + udp.TotalLength : -1;

    [Benchmark]
    public int Tcp() => TcpHeader.TryCreate(_tcp, out var tcp) && tcp.Syn ? tcp.DestinationPort + tcp.HeaderLength + (int)tcp.SequenceNumber : -1;

    [Benchmark]
    public int Icmpv4() => Icmpv4Header.TryCreate(_icmpv4, out var icmp) && icmp.Code == 0 && icmp.RestOfHeader == 0x0001_0001 ? icmp.Type : -1;

    [Benchmark]
    public int Icmpv6() => Icmpv6Header.TryCreate(_icmpv6, out var icmp) && icmp.Identifier == 1 ? icmp.Type : -1;
}
