using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;

namespace Dataplane.Tests.Icmp;

/// <summary>
/// Every reply or request the data plane builds in a received frame's own buffer works when that buffer ends where
/// the frame does (no tailroom, as DPDK and AF_PACKET may hand a frame over): the ARP reply (same size as the
/// 42-octet request), the Neighbor Advertisement (8 octets longer than an unpadded solicitation: it grows toward the
/// headroom), the glean solicitation made of a short packet (longer than the packet: also toward the headroom), and
/// the ICMP errors (IcmpErrorWriterTests). Expected frames are Scapy's (IcmpVectors), on the native-routing golden
/// configuration's site port (port 1: 10.1.0.1, 2001:db8:1::1, 02:00:00:00:01:01).
/// </summary>
public sealed class NoTailroomReplyTests
{
    [Fact]
    public void A_42_octet_arp_request_is_answered_in_place()
    {
        using var harness = new TightFrameHarness("native-routing");
        var outcome = Assert.Single(harness.Process(1, IcmpVectors.ArpRequest));

        Assert.Equal(PacketDisposition.Transmit, outcome.Disposition);
        Assert.Equal(1, outcome.Port);
        Assert.Equal(IcmpVectors.ArpReply, outcome.Bytes);
        Assert.Equal(1, harness.Counters.Counted(ForwardingEvent.ArpReplied));
    }

    [Fact]
    public void An_unpadded_neighbor_solicitation_is_answered_with_a_longer_advertisement()
    {
        using var harness = new TightFrameHarness("native-routing");
        var outcome = Assert.Single(harness.Process(1, IcmpVectors.NeighborSolicitation));

        Assert.Equal(DropReason.None, outcome.Drop);
        Assert.Equal(PacketDisposition.Transmit, outcome.Disposition);
        Assert.Equal(1, outcome.Port);
        Assert.Equal(IcmpVectors.NeighborAdvertisement, outcome.Bytes);
        Assert.Equal(1, harness.Counters.Counted(ForwardingEvent.NeighbourAdvertised));
    }

    [Fact]
    public void A_short_packet_toward_an_unresolved_host_becomes_the_longer_solicitation()
    {
        using var harness = new TightFrameHarness("native-routing");
        var outcome = Assert.Single(harness.Process(0, IcmpVectors.ShortIpv6ToUnresolvedHost));

        Assert.Equal(DropReason.None, outcome.Drop);
        Assert.Equal(PacketDisposition.Transmit, outcome.Disposition);
        Assert.Equal(1, outcome.Port);
        Assert.Equal(IcmpVectors.SolicitationForUnresolvedHost, outcome.Bytes);
        Assert.Equal(1, harness.Counters.Counted(ForwardingEvent.NeighbourRequestSent));
    }
}
