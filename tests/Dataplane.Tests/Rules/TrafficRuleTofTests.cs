using System.Text.Json;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Rules;
using Dataplane.Tests.GtpU;
using Dataplane.Tests.Tof;

namespace Dataplane.Tests.Rules;

/// <summary>
/// Traffic rules of scope tof on the TOF's packets, byte for byte against Scapy: the expected frames are Scapy's own
/// builds of what must come out (checksums computed by Scapy over the new bytes), so a DSCP mark with a wrong IPv4
/// header checksum, or an outer UDP checksum not brought up to date, cannot pass.
/// </summary>
public sealed class TrafficRuleTofTests : IDisposable
{
    private const string Enb1ToSgw = "Ether(src='02:00:00:00:0e:01', dst='02:00:00:00:05:01')/IP(src='192.0.2.10', dst='198.51.100.20', id=1)/UDP(sport=2152, dport=2152)";
    private const string SgwToEnb1 = "Ether(src='02:00:00:00:05:01', dst='02:00:00:00:0e:01')/IP(src='198.51.100.20', dst='192.0.2.10', id=2)/UDP(sport=2152, dport=2152)";
    private const string FromInternet = "IP(src='192.0.2.200', dst='10.45.0.2', id=6)/UDP(sport=39999, dport=40000)/Raw(b'downlink')";

    private readonly TofTestPlane tof = new();

    private TrafficRuleTable Rules => tof.Plane.TrafficRules;

    [Fact]
    public void Mark_dscp_on_a_passed_through_uplink_keeps_ecn_and_both_checksums_right()
    {
        Add("""{ "name": "mark", "priority": 10, "scope": "tof", "direction": "uplink", "match": { "protocol": "udp", "destinationPorts": "39999" }, "actions": { "markDscp": 46 } }""");
        // ECN 01 (ECT(1)) in the input must stay; DSCP 46 = EF: TOS 0xB9. Scapy computes the inner header checksum
        // and the outer UDP checksum of the expected frame afresh.
        var frames = ScapyFrames.Build(
            $"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/IP(src='10.45.0.2', dst='192.0.2.200', tos=0x01, id=5)/UDP(sport=40000, dport=39999)/Raw(b'elsewhere')",
            $"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/IP(src='10.45.0.2', dst='192.0.2.200', tos=0xB9, id=5)/UDP(sport=40000, dport=39999)/Raw(b'elsewhere')");
        var batch = tof.Process((TofTestPlane.EnbPort, frames[0]));

        Assert.Equal(TofTestPlane.SgwPort, batch[0].EgressPort);
        Assert.Equal(Convert.ToHexString(frames[1]), Convert.ToHexString(batch[0].Data));
        Assert.True(Rules.TryGet("mark", out var state));
        Assert.Equal(1, state.Packets);
        Assert.Equal(frames[0].Length - 14 - 20 - 8 - 8, state.Bytes); // the inner IP packet
    }

    [Fact]
    public void Mark_dscp_on_an_ipv6_inner_packet_updates_the_outer_udp_checksum()
    {
        Add("""{ "name": "mark6", "priority": 10, "scope": "tof", "match": { "source": "2001:db8:1::/48" }, "actions": { "markDscp": 10 } }""");
        var frames = ScapyFrames.Build(
            $"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/IPv6(src='2001:db8:1::2', dst='2001:db8:9::9', tc=0x02)/UDP(sport=40000, dport=53)/Raw(b'query')",
            $"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/IPv6(src='2001:db8:1::2', dst='2001:db8:9::9', tc=0x2A)/UDP(sport=40000, dport=53)/Raw(b'query')");
        var batch = tof.Process((TofTestPlane.EnbPort, frames[0]));

        Assert.Equal(TofTestPlane.SgwPort, batch[0].EgressPort);
        Assert.Equal(Convert.ToHexString(frames[1]), Convert.ToHexString(batch[0].Data));
    }

    [Fact]
    public void A_drop_rule_drops_under_its_reason_before_the_service_offload_and_counts()
    {
        Add("""{ "name": "no-8080", "priority": 10, "scope": "tof", "service": "video", "match": { "protocol": "udp", "destinationPorts": 8080 }, "actions": { "drop": true } }""");
        var frames = ScapyFrames.Build(
            $"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/IP(src='10.45.0.2', dst='10.200.0.1', id=5)/UDP(sport=40000, dport=8080)/Raw(b'request')",
            $"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/IP(src='10.45.0.2', dst='10.200.0.1', id=5)/UDP(sport=40000, dport=8081)/Raw(b'request')");
        var batch = tof.Process((TofTestPlane.EnbPort, frames[0]), (TofTestPlane.EnbPort, frames[1]));

        Assert.Equal(DropReason.TrafficRuleDrop, (DropReason)batch[0].DropReason);
        Assert.Equal(TofTestPlane.AppsPort, batch[1].EgressPort); // the other port is offloaded as before
        Assert.True(Rules.TryGet("no-8080", out var state));
        Assert.Equal((1, 1), (state.Packets, state.Drops));
        Assert.Equal(1, tof.Pipeline.Counters.Dropped(DropReason.TrafficRuleDrop));
    }

    [Fact]
    public void An_offload_rule_offloads_by_prefix_and_the_reply_comes_back_from_the_address_the_ue_used()
    {
        Add("""{ "name": "cdn", "priority": 10, "scope": "tof", "direction": "uplink", "match": { "destination": "192.0.2.200/32", "protocol": "udp" }, "actions": { "offload": "video" } }""");
        var frames = ScapyFrames.Build(
            $"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/IP(src='10.45.0.2', dst='192.0.2.200', id=5)/UDP(sport=40000, dport=39999)/Raw(b'elsewhere')",
            $"{SgwToEnb1}/GTP_U_Header(teid=0xE001)/{FromInternet}",
            "Ether(src='02:00:00:00:a0:01', dst='02:00:00:00:e0:04')/IP(src='203.0.113.10', dst='10.45.0.2', ttl=60, id=7)/UDP(sport=39999, dport=40000)/Raw(b'reply')",
            // Out the Apps port NATed to video's application; the reply NATed back to 192.0.2.200, into the downlink.
            "Ether(src='02:00:00:00:e0:04', dst='02:00:00:00:a0:01')/IP(src='10.45.0.2', dst='203.0.113.10', id=5)/UDP(sport=40000, dport=39999)/Raw(b'elsewhere')",
            "Ether(src='02:00:00:00:e0:01', dst='02:00:00:00:0e:01')/IP(src='198.51.100.20', dst='192.0.2.10', ttl=64, id=0, flags=0)/UDP(sport=2152, dport=2152, chksum=0)"
            + "/GTP_U_Header(teid=0xE001)/IP(src='192.0.2.200', dst='10.45.0.2', ttl=60, id=7)/UDP(sport=39999, dport=40000)/Raw(b'reply')");
        var batch = tof.Process((TofTestPlane.EnbPort, frames[0]), (TofTestPlane.SgwPort, frames[1]), (TofTestPlane.AppsPort, frames[2]));

        Assert.Equal(TofTestPlane.AppsPort, batch[0].EgressPort);
        Assert.Equal(Convert.ToHexString(frames[3]), Convert.ToHexString(batch[0].Data));
        Assert.Equal(TofTestPlane.EnbPort, batch[2].EgressPort);
        Assert.Equal(Convert.ToHexString(frames[4]), Convert.ToHexString(batch[2].Data));
        Assert.Equal(1, tof.Tof.Counters("video").UplinkPackets);
    }

    [Fact]
    public void The_rule_of_highest_priority_holds_the_packet_and_count_alone_lets_the_next_one_match()
    {
        Add("""{ "name": "tcp-off", "priority": 1, "scope": "tof", "match": { "protocol": "tcp" }, "actions": { "drop": true } }""");
        Add("""{ "name": "mark", "priority": 2, "scope": "tof", "match": { "destination": "192.0.2.200/32", "protocol": "udp" }, "actions": { "markDscp": 46 } }""");
        Add("""{ "name": "ue", "priority": 3, "scope": "tof", "ue": "10.45.0.0/24", "actions": { "count": true } }""");
        var frames = ScapyFrames.Build(
            $"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/IP(src='10.45.0.2', dst='192.0.2.200', id=5)/UDP(sport=40000, dport=39999)/Raw(b'elsewhere')",
            $"{SgwToEnb1}/GTP_U_Header(teid=0xE001)/{FromInternet}",
            $"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/IP(src='10.45.0.2', dst='192.0.2.200', id=5)/TCP(sport=40000, dport=443)",
            $"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/IP(src='10.45.0.2', dst='192.0.2.200', tos=0xB8, id=5)/UDP(sport=40000, dport=39999)/Raw(b'elsewhere')");
        var batch = tof.Process((TofTestPlane.EnbPort, frames[0]), (TofTestPlane.SgwPort, frames[1]), (TofTestPlane.EnbPort, frames[2]));

        // Counted by "ue" (count alone), then held by "mark": marked and passed through.
        Assert.Equal(TofTestPlane.SgwPort, batch[0].EgressPort);
        Assert.Equal(Convert.ToHexString(frames[3]), Convert.ToHexString(batch[0].Data));
        // Downlink: counted by "ue" (the UE is the destination), held by no other rule, passed through unchanged.
        Assert.Equal(TofTestPlane.EnbPort, batch[1].EgressPort);
        Assert.Equal(Convert.ToHexString(frames[1]), Convert.ToHexString(batch[1].Data));
        // TCP: counted by "ue", not "mark"'s (UDP only), held by "tcp-off".
        Assert.Equal(DropReason.TrafficRuleDrop, (DropReason)batch[2].DropReason);
        Assert.True(Rules.TryGet("ue", out var ue));
        Assert.True(Rules.TryGet("mark", out var mark));
        Assert.True(Rules.TryGet("tcp-off", out var tcp));
        Assert.Equal((3L, 1L, 1L), (ue.Packets, mark.Packets, tcp.Packets));
    }

    [Fact]
    public void A_policer_passes_its_burst_then_drops_over_the_rate_and_refills_with_time()
    {
        Add("""{ "name": "cap", "priority": 10, "scope": "tof", "direction": "uplink", "actions": { "rateLimit": { "packetsPerSecond": 10, "burstPackets": 2 } } }""");
        var frame = ScapyFrames.Build($"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/IP(src='10.45.0.2', dst='192.0.2.200', id=5)/UDP(sport=40000, dport=39999)/Raw(b'x')")[0];
        var five = Enumerable.Repeat((TofTestPlane.EnbPort, frame), 5).ToArray();
        var batch = tof.Process(five);
        Assert.Equal([0, 0, 2, 2, 2], batch.AsSpan().ToArray().Select(p => p.DropReason == (byte)DropReason.TrafficRulePolicerDrop ? 2 : p.DropReason));

        tof.Clock.Advance(TimeSpan.FromMilliseconds(100)); // one token
        batch = tof.Process(five);
        Assert.Equal(1, batch.AsSpan().ToArray().Count(p => p.DropReason == 0));
        Assert.True(Rules.TryGet("cap", out var state));
        Assert.Equal((10L, 7L), (state.Packets, state.PolicerDrops));
    }

    [Fact]
    public void Rules_policers_and_marks_allocate_nothing_in_the_steady_state()
    {
        Add("""{ "name": "mark", "priority": 30, "scope": "tof", "match": { "destination": "192.0.2.200/32" }, "actions": { "markDscp": 46, "rateLimit": { "packetsPerSecond": 1000000, "per": "ue" } } }""");
        Add("""{ "name": "count", "priority": 20, "scope": "tof", "actions": { "count": true } }""");
        for (int i = 0; i < 1000; i++)
        {
            Add($$"""{ "name": "other{{i}}", "priority": {{100 + i}}, "scope": "tof", "match": { "destination": "198.18.{{i / 256}}.{{i % 256}}/32", "protocol": "tcp", "destinationPorts": 443 }, "actions": { "drop": true } }""");
        }

        var frames = ScapyFrames.Build(
            $"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/IP(src='10.45.0.2', dst='192.0.2.200', id=5)/UDP(sport=40000, dport=39999)/Raw(b'elsewhere')",
            $"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/IP(src='10.45.0.2', dst='10.200.0.1', id=5)/UDP(sport=40000, dport=8080)/Raw(b'request')",
            $"{SgwToEnb1}/GTP_U_Header(teid=0xE001)/{FromInternet}",
            "Ether(src='02:00:00:00:a0:01', dst='02:00:00:00:e0:04')/IP(src='203.0.113.10', dst='10.45.0.2', ttl=60, id=7)/UDP(sport=8080, dport=40000)/Raw(b'reply')",
            $"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/IPv6(src='2001:db8:1::2', dst='2001:db8:9::9')/UDP(sport=40000, dport=53)/Raw(b'query')");
        var input = new (ushort, byte[])[]
        {
            (TofTestPlane.EnbPort, frames[0]), (TofTestPlane.EnbPort, frames[1]), (TofTestPlane.SgwPort, frames[2]), (TofTestPlane.AppsPort, frames[3]),
            (TofTestPlane.EnbPort, frames[4]),
        };
        Assert.Equal(0, tof.SteadyStateAllocatedBytes(input));
        Assert.True(Rules.TryGet("mark", out var mark) && mark.Packets >= 500);
        Assert.True(Rules.TryGet("count", out var count) && count.Packets >= 2000);
    }

    private void Add(string json)
    {
        var rule = Rules.Reader.Read(JsonDocument.Parse(json).RootElement, "rule");
        Assert.True(Rules.TryAdd(rule, out string problem), problem);
    }

    public void Dispose() => tof.Dispose();
}
