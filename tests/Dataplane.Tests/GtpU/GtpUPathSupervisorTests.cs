using Dataplane.Control.GtpU;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.GtpU;
using Dataplane.Tables.Gtp;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.GtpU;

/// <summary>
/// Echo Requests to the tunnels' peers and what their answers (or silence) make of each path (TS 29.281 7.2,
/// TS 23.007 section 20). The requests are compared with Scapy's; the answers are Scapy frames that go through the
/// worker's pipeline, which punts them, as on a live port.
/// </summary>
public sealed class GtpUPathSupervisorTests : IDisposable
{
    private const int IntervalMilliseconds = 1000;
    private const string FromGnb = "Ether(src='02:00:00:00:0a:0a', dst='02:00:00:00:03:01')/IP(src='192.0.2.10', dst='192.0.2.1')/UDP(sport=2152, dport=2152)";

    private readonly GtpUTestPlane upf = new();
    private readonly List<byte[]> injected = [];
    private readonly List<GtpUPeerEvent> events = [];
    private readonly GtpUPathSupervisor supervisor;
    private long now = 5000;

    public GtpUPathSupervisorTests()
    {
        supervisor = new GtpUPathSupervisor(upf.Plane.Feature<GtpUFeature>()!.Tunnels, IntervalMilliseconds, missedLimit: 3,
            packet => { injected.Add(packet); return true; }, () => now);
        supervisor.Changed += events.Add;
    }

    [Fact]
    public void Each_distinct_peer_of_the_tunnels_gets_an_echo_request_as_scapy_builds_it_every_interval()
    {
        Start();

        // ue1 and ue2 share 192.0.2.1 -> 192.0.2.10; ue3 is over IPv6. Sequence numbers start at the clock's value.
        var expected = ScapyFrames.Build(
            "IP(src='192.0.2.1', dst='192.0.2.10', id=0, ttl=64)/UDP(sport=2152, dport=2152)/GTP_U_Header(gtp_type=1, S=1, seq=5000, teid=0)/GTPEchoRequest()",
            "IPv6(src='2001:db8:3::1', dst='2001:db8:3::10', hlim=64)/UDP(sport=2152, dport=2152)/GTP_U_Header(gtp_type=1, S=1, seq=5000, teid=0)/GTPEchoRequest()");
        Assert.Equal(expected.Select(Convert.ToHexString).Order(), injected.Select(Convert.ToHexString).Order());
        Assert.Equal(2, supervisor.Peers.Count);
        Assert.All(supervisor.Peers, p => Assert.Equal(GtpUPeerState.Unknown, p.State));

        now += IntervalMilliseconds - 1;
        Tick();
        Assert.Equal(2, injected.Count); // not due yet
        now += 1;
        Tick();
        Assert.Equal(4, injected.Count);
        Assert.Equal(4, supervisor.EchoesSent);
    }

    [Fact]
    public void An_answer_with_the_outstanding_sequence_brings_the_path_up_and_measures_the_round_trip()
    {
        Start();
        now += 7;
        Answer(sequence: 5000, restartCounter: 0);

        var path = Path("192.0.2.10");
        Assert.Equal(GtpUPeerState.Up, path.State);
        Assert.Equal(7, path.LastRttMilliseconds);
        Assert.Equal((byte)0, path.RestartCounter);
        Assert.Equal(1, supervisor.EchoesAnswered);
        var up = Assert.Single(events);
        Assert.Equal(new GtpUPeerEvent(GtpUPeerEventKind.Up, IpAddress.Parse("192.0.2.1"), IpAddress.Parse("192.0.2.10"), 0), up);
        Assert.Equal(GtpUPeerState.Unknown, Path("2001:db8:3::10").State);
    }

    [Fact]
    public void Answers_with_another_sequence_or_twice_are_unmatched()
    {
        Start();
        Answer(sequence: 4999, restartCounter: 0);
        Answer(sequence: 5000, restartCounter: 0);
        Answer(sequence: 5000, restartCounter: 0);

        Assert.Equal(1, supervisor.EchoesAnswered);
        Assert.Equal(2, supervisor.EchoesUnmatched);
    }

    [Fact]
    public void The_limit_of_unanswered_echoes_in_a_row_takes_the_path_down_and_an_answer_brings_it_back()
    {
        Start();
        Answer(sequence: 5000, restartCounter: 0);
        for (int round = 1; round <= 4; round++)
        {
            // Round 1 sends the next request; rounds 2, 3 and 4 each find the previous one unanswered.
            now += IntervalMilliseconds;
            Tick();
            Assert.Equal(round < 4 ? GtpUPeerState.Up : GtpUPeerState.Down, Path("192.0.2.10").State);
        }

        // The IPv6 peer never answered: its first request was missed in round 1, so it went down in round 3.
        Assert.Equal([GtpUPeerEventKind.Up, GtpUPeerEventKind.Down, GtpUPeerEventKind.Down], events.Select(e => e.Kind));
        Assert.Equal(IpAddress.Parse("2001:db8:3::10"), events[1].Peer);
        Assert.Equal(IpAddress.Parse("192.0.2.10"), events[2].Peer);
        Assert.Equal(3, Path("192.0.2.10").MissedInARow);

        Answer(sequence: 5004, restartCounter: 0);
        Assert.Equal(GtpUPeerState.Up, Path("192.0.2.10").State);
        Assert.Equal(0, Path("192.0.2.10").MissedInARow);
        Assert.Equal(GtpUPeerEventKind.Up, events[^1].Kind);
    }

    [Fact]
    public void A_changed_restart_counter_is_reported_as_a_restart_of_the_peer()
    {
        Start();
        Answer(sequence: 5000, restartCounter: 4);
        now += IntervalMilliseconds;
        Tick();
        Answer(sequence: 5001, restartCounter: 4);
        now += IntervalMilliseconds;
        Tick();
        Answer(sequence: 5002, restartCounter: 5);

        Assert.Equal([GtpUPeerEventKind.Up, GtpUPeerEventKind.Restarted], events.Select(e => e.Kind));
        Assert.Equal((byte)5, events[1].RestartCounter);
        Assert.Equal(1, Path("192.0.2.10").Restarts);
    }

    [Fact]
    public void Paths_follow_the_tunnels_added_and_removed_while_running()
    {
        var table = upf.Plane.Feature<GtpUFeature>()!.Tunnels;
        Start();
        var added = new GtpUTunnel("more", IpAddress.Parse("192.0.2.1"), IpAddress.Parse("192.0.2.11"), 4000, 4001,
            EidPrefix.Host(0, IpAddress.Parse("10.45.7.7")), null);
        table.AddOrReplace(added);
        now += IntervalMilliseconds;
        Tick();
        Assert.Equal(3, supervisor.Peers.Count);

        table.Remove(added.Key);
        now += IntervalMilliseconds;
        Tick();
        Assert.DoesNotContain(supervisor.Peers, p => p.Peer == IpAddress.Parse("192.0.2.11"));
    }

    private void Tick() => supervisor.OnTick(now);

    /// <summary>The first tick only learns the paths (their sequence numbers start at its clock, 5000); the first requests go one interval later.</summary>
    private void Start()
    {
        Tick();
        Assert.Empty(injected);
        now += IntervalMilliseconds;
        Tick();
    }

    private GtpUPeerStatus Path(string peer) => supervisor.Peers.Single(p => p.Peer == IpAddress.Parse(peer));

    /// <summary>The gNB's Echo Response, received on n3 and punted by the worker, handed to the supervisor as the control thread would.</summary>
    private void Answer(int sequence, int restartCounter)
    {
        var frame = ScapyFrames.Build(
            $"{FromGnb}/GTP_U_Header(gtp_type=2, S=1, seq={sequence}, teid=0)/GTPEchoResponse(IE_list=[IE_Recovery(restart_counter={restartCounter})])")[0];
        upf.Load(0, frame);
        upf.Pipeline.Process(upf.Batch);
        Assert.Equal(PacketDisposition.Punt, upf.Batch[0].Disposition);
        Assert.True(upf.Pipeline.Punts.TryDequeue(out var punted));
        supervisor.OnPunt(in punted);
        upf.Pool.Free(ref punted);
        upf.Batch.Clear();
    }

    public void Dispose() => upf.Dispose();
}
