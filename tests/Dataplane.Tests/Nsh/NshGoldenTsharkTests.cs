using Dataplane.Tests.Golden;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Nsh;

/// <summary>
/// The NSH golden cases replayed, and what we transmitted dissected by tshark: the NSH and VXLAN-GPE fields must be
/// what RFC 8300 asks of a service function forwarder, written here from its rules (not from our output): the SFF
/// decrements TTL (section 2.2) and leaves SI as the function set it (section 2.3), so the hop SI 255 - i names is
/// the one the packet goes to.
/// </summary>
public sealed class NshGoldenTsharkTests : IDisposable
{
    private static readonly string[] Fields =
        ["frame.protocols", "nsh.spi", "nsh.si", "nsh.ttl", "nsh.mdtype", "nsh.nextproto", "vxlan.next_proto", "vxlan.vni", "ip.dst", "eth.dst"];

    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-nsh-").FullName;

    [Fact]
    public void Classified_packets_carry_the_rfc8300_fields_of_a_path_start()
    {
        var frames = ReplayAndDissect("nsh-classifier");
        Assert.Equal(3, frames.Length);

        // A classifier writes TTL 63 (the RFC's default) and SI 255 (the first hop); the next protocol says what it carries.
        Assert.StartsWith("eth:ethertype:ip:udp:nsh:ip:udp", frames[0]["frame.protocols"], StringComparison.Ordinal);
        AssertNsh(frames[0], spi: 10, si: 255, ttl: 63, mdType: 1, nextProtocol: 1);
        Assert.Equal("4", frames[0]["vxlan.next_proto"]);
        Assert.Equal("198.51.100.21", frames[0]["ip.dst"]);
        Assert.Equal("eth:ethertype:nsh:ipv6:tcp", frames[1]["frame.protocols"]);
        AssertNsh(frames[1], spi: 20, si: 255, ttl: 63, mdType: 1, nextProtocol: 2);
        Assert.Equal("02:00:00:00:00:21", frames[1]["eth.dst"]);
        Assert.Equal("", frames[2]["nsh.spi"]); // no rule: routed as it was
    }

    [Fact]
    public void Sff_hops_carry_the_rfc8300_fields()
    {
        var frames = ReplayAndDissect("nsh-sff-hop");
        Assert.Equal(3, frames.Length);

        // fw1 (hop 0 of SPI 10) returned SI 254, TTL 63: hop 1 is dpi1, over Ethernet (EtherType 0x894F), TTL 62.
        Assert.Equal("eth:ethertype:nsh:ip:udp:data", frames[0]["frame.protocols"]);
        AssertNsh(frames[0], spi: 10, si: 254, ttl: 62, mdType: 1, nextProtocol: 1);
        Assert.Equal("02:00:00:00:00:21", frames[0]["eth.dst"]);

        // dpi1 (hop 0 of SPI 20) returned SI 254, TTL 20, MD type 2: hop 1 is fw1, over VXLAN-GPE (next protocol 4, its VNI 7).
        Assert.StartsWith("eth:ethertype:ip:udp:nsh:ipv6", frames[1]["frame.protocols"], StringComparison.Ordinal);
        AssertNsh(frames[1], spi: 20, si: 254, ttl: 19, mdType: 2, nextProtocol: 2);
        Assert.Equal("4", frames[1]["vxlan.next_proto"]);
        Assert.Equal("7", frames[1]["vxlan.vni"]);
        Assert.Equal("198.51.100.21", frames[1]["ip.dst"]);

        // SI 255 is hop 0 of SPI 10, fw1; TTL 0 decremented wraps to 63 (section 2.2).
        AssertNsh(frames[2], spi: 10, si: 255, ttl: 63, mdType: 1, nextProtocol: 1);
        Assert.Equal("4", frames[2]["vxlan.next_proto"]);
    }

    [Fact]
    public void The_end_of_a_path_leaves_no_nsh()
    {
        var frames = ReplayAndDissect("nsh-path-end");
        Assert.Equal(3, frames.Length);
        Assert.All(frames, frame => Assert.Equal("", frame["nsh.spi"]));
        Assert.Equal(["eth:ethertype:ip:udp:data", "eth:ethertype:ipv6:tcp", "eth:ethertype:ip:udp:data"], frames.Select(f => f["frame.protocols"]));
    }

    private static void AssertNsh(Dictionary<string, string> frame, uint spi, int si, int ttl, int mdType, int nextProtocol)
    {
        Assert.Equal(spi.ToString(System.Globalization.CultureInfo.InvariantCulture), frame["nsh.spi"]);
        Assert.Equal(si.ToString(System.Globalization.CultureInfo.InvariantCulture), frame["nsh.si"]);
        Assert.Equal($"0x{ttl:x4}", frame["nsh.ttl"]); // tshark prints the 6-bit field in hex: 62 is 0x003e
        Assert.Equal(mdType.ToString(System.Globalization.CultureInfo.InvariantCulture), frame["nsh.mdtype"]);
        Assert.Equal(nextProtocol.ToString(System.Globalization.CultureInfo.InvariantCulture), frame["nsh.nextproto"]);
    }

    private Dictionary<string, string>[] ReplayAndDissect(string name)
    {
        TsharkOracle.RequireInstalled();
        string outPath = Path.Combine(scratch, name + ".pcap");
        var result = GoldenSuiteTests.Replay(new GoldenCase(name), outPath, Path.Combine(scratch, name + "-punt.pcap"));
        Assert.True(result.Counters.IsConserved, result.Counters.ToTable());
        Assert.Empty(TsharkOracle.Problems(outPath));
        return TsharkOracle.Columns(outPath, Fields).Select(row => Fields.Zip(row).ToDictionary(p => p.First, p => p.Second)).ToArray();
    }

    public void Dispose() => Directory.Delete(scratch, recursive: true);
}
