using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;

namespace Dataplane.Tests.Icmp;

/// <summary>
/// The routing stage's ICMP errors on the native-routing golden configuration: the error leaves toward the source by
/// the normal path (Scapy's frame, TTL 63 after the router's own hop), and the per-worker budget
/// (icmpErrors.ratePerSecond) holds within a second and refills after one.
/// </summary>
public sealed class RoutingIcmpErrorTests
{
    [Fact]
    public void Time_exceeded_leaves_toward_the_source_as_scapy_builds_it()
    {
        using var harness = new TightFrameHarness("native-routing");
        var outcome = Assert.Single(harness.Process(0, IcmpVectors.ExpiringIpv4Frame));

        Assert.Equal(PacketDisposition.Transmit, outcome.Disposition);
        Assert.Equal(DropReason.None, outcome.Drop);
        Assert.Equal(0, outcome.Port);
        Assert.Equal(IcmpVectors.TimeExceededIpv4OnTheWire, outcome.Bytes);
        var counters = harness.Counters;
        Assert.Equal(1, counters.Counted(ForwardingEvent.IcmpTimeExceededSent));
        Assert.Equal(1, counters.Counted(ForwardingEvent.Routed));
        Assert.True(counters.IsConserved);
    }

    [Fact]
    public void The_budget_holds_within_a_second_and_refills_after_one()
    {
        using var harness = new TightFrameHarness("native-routing", config => config with { IcmpErrors = new() { RatePerSecond = 3 } });
        byte[][] burst = [.. Enumerable.Repeat(IcmpVectors.ExpiringIpv4Frame, 5)];

        var first = harness.Process(0, burst);
        Assert.Equal(3, first.Count(o => o.Disposition == PacketDisposition.Transmit && o.Drop == DropReason.None));
        Assert.Equal(2, first.Count(o => o.Drop == DropReason.TtlExpired));

        harness.Clock.Advance(TimeSpan.FromMilliseconds(400)); // one token back (one per 1/3 s)
        var second = harness.Process(0, burst);
        Assert.Equal(1, second.Count(o => o.Disposition == PacketDisposition.Transmit && o.Drop == DropReason.None));

        harness.Clock.Advance(TimeSpan.FromSeconds(5)); // full again, never more than one second's worth
        var third = harness.Process(0, burst);
        Assert.Equal(3, third.Count(o => o.Disposition == PacketDisposition.Transmit && o.Drop == DropReason.None));

        var counters = harness.Counters;
        Assert.Equal(7, counters.Counted(ForwardingEvent.IcmpTimeExceededSent));
        Assert.Equal(8, counters.Counted(ForwardingEvent.IcmpErrorRateLimited));
        Assert.Equal(8, counters.Dropped(DropReason.TtlExpired));
        Assert.True(counters.IsConserved);
    }

    [Fact]
    public void A_rate_of_zero_sends_no_error()
    {
        using var harness = new TightFrameHarness("native-routing", config => config with { IcmpErrors = new() { RatePerSecond = 0 } });
        var outcomes = harness.Process(0, IcmpVectors.ExpiringIpv4Frame, IcmpVectors.UnroutableIpv4Frame);

        Assert.Equal([DropReason.TtlExpired, DropReason.NoRoute], outcomes.Select(o => o.Drop));
        Assert.Equal(2, harness.Counters.Counted(ForwardingEvent.IcmpErrorRateLimited));
    }

    [Fact]
    public void No_route_for_ipv6_is_answered_with_destination_unreachable()
    {
        using var harness = new TightFrameHarness("native-routing");
        var outcome = Assert.Single(harness.Process(0, IcmpVectors.UnroutableIpv6Frame));

        Assert.Equal(PacketDisposition.Transmit, outcome.Disposition);
        Assert.Equal(DropReason.None, outcome.Drop);
        // Ethernet to the IPv6 gateway, then Scapy's 1280-octet error with the router's hop taken (hop limit 63).
        Assert.Equal(14 + 1280, outcome.Bytes.Length);
        byte[] expected = (byte[])IcmpVectors.NoRouteIpv6.Clone();
        expected[7] = 63;
        Assert.Equal(expected, outcome.Bytes[14..]);
        Assert.Equal(1, harness.Counters.Counted(ForwardingEvent.IcmpDestinationUnreachableSent));
    }
}
