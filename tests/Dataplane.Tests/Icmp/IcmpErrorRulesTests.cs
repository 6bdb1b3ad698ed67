using Dataplane.Forwarding.Icmp;
using Dataplane.Forwarding.Stages;

namespace Dataplane.Tests.Icmp;

/// <summary>
/// RFC 1812 section 4.3.2.7 and RFC 4443 section 2.4 (e), one rule at a time, on packets built by Scapy
/// (IcmpVectors) and changed in the one field the rule is about. The whole pipeline's side of the same rules is the
/// hostile family icmp-error-triggers (HostileCorpusTests).
/// </summary>
public sealed class IcmpErrorRulesTests : IDisposable
{
    private readonly TightFrameHarness harness = new("native-routing");

    [Fact]
    public void An_ordinary_packet_may_be_reported()
    {
        Assert.True(MayReportIpv4(_ => { }));
        Assert.True(MayReportIpv6(_ => { }));
    }

    [Theory]
    [InlineData(3, false)]   // destination unreachable
    [InlineData(4, false)]   // source quench
    [InlineData(5, false)]   // redirect
    [InlineData(11, false)]  // time exceeded
    [InlineData(12, false)]  // parameter problem
    [InlineData(99, false)]  // unknown: treated as an error, never answered
    [InlineData(8, true)]    // echo request: a query
    [InlineData(0, true)]    // echo reply: a query
    [InlineData(13, true)]   // timestamp: a query
    public void Icmpv4_errors_are_never_reported_queries_are(byte type, bool expected)
    {
        Assert.Equal(expected, MayReportIpv4(ip =>
        {
            ip[9] = 1; // protocol ICMP; the UDP header's first byte becomes the ICMP type
            ip[20] = type;
        }));
    }

    [Theory]
    [InlineData(1, false)]   // destination unreachable
    [InlineData(2, false)]   // packet too big
    [InlineData(3, false)]   // time exceeded
    [InlineData(127, false)] // the last error type
    [InlineData(128, true)]  // echo request
    public void Icmpv6_types_below_128_are_never_reported(byte type, bool expected)
    {
        Assert.Equal(expected, MayReportIpv6(ip =>
        {
            ip[6] = 58; // next header ICMPv6
            ip[40] = type;
        }));
    }

    [Theory]
    [InlineData("0.0.0.0", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("224.0.0.1", true)]
    [InlineData("240.0.0.1", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("255.255.255.255", false)]
    [InlineData("224.0.0.9", false)]
    public void No_error_from_or_to_an_address_that_names_no_single_host(string address, bool asSource)
    {
        byte[] bytes = System.Net.IPAddress.Parse(address).GetAddressBytes();
        Assert.False(MayReportIpv4(ip => bytes.CopyTo(ip[(asSource ? 12 : 16)..])));
    }

    [Fact]
    public void No_error_about_a_later_fragment_but_about_a_first_one()
    {
        Assert.False(MayReportIpv4(ip => ip[7] = 10)); // fragment offset 10
        Assert.True(MayReportIpv4(ip => ip[6] = 0x20)); // MF set, offset 0: the first fragment
    }

    [Fact]
    public void No_error_about_a_frame_sent_to_link_layer_broadcast()
    {
        var packet = harness.Tight(IcmpVectors.ExpiringIpv4Frame);
        packet.Data[..6].Fill(0xFF);
        Prepare(ref packet, PacketKind.NativeIpv4);
        Assert.False(IcmpErrorRules.MayReport(ref packet));
    }

    [Fact]
    public void Ipv6_group_and_unspecified_addresses_but_packet_too_big_may_answer_a_group()
    {
        Assert.False(MayReportIpv6(ip => ip[8..24].Clear()));                  // source ::
        Assert.False(MayReportIpv6(ip => ip[8] = 0xFF));                       // source multicast
        Assert.False(MayReportIpv6(ip => ip[24] = 0xFF));                      // destination multicast
        Assert.True(MayReportIpv6(ip => ip[24] = 0xFF, toMulticastAllowed: true)); // RFC 4443 2.4 (e.2)
    }

    private bool MayReportIpv4(Action<Span<byte>> change)
    {
        var packet = harness.Tight(IcmpVectors.ExpiringIpv4Frame);
        change(packet.Data[14..]);
        Prepare(ref packet, PacketKind.NativeIpv4);
        return IcmpErrorRules.MayReport(ref packet);
    }

    private bool MayReportIpv6(Action<Span<byte>> change, bool toMulticastAllowed = false)
    {
        var packet = harness.Tight(IcmpVectors.ExpiringIpv6Frame);
        change(packet.Data[14..]);
        Prepare(ref packet, PacketKind.NativeIpv6);
        return IcmpErrorRules.MayReport(ref packet, toMulticastAllowed);
    }

    private static void Prepare(ref Dataplane.Forwarding.Buffers.PacketDescriptor packet, PacketKind kind)
    {
        packet.Kind = kind;
        packet.L2Offset = (ushort)packet.DataOffset;
        packet.L3Offset = (ushort)(packet.DataOffset + 14);
    }

    public void Dispose() => harness.Dispose();
}
