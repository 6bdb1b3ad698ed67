using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Ports.Pcap;
using Dataplane.Tests.Oracles;
using Dataplane.Tests.Pcap;

namespace Dataplane.Tests.Lisp;

/// <summary>
/// Decapsulation through the whole pipeline (decapsulate, then route): tshark must find the output clean (no
/// malformed packet, good IPv4 and UDP checksums) with the TTLs RFC 9300 section 5.3 asks for, and the hot path must
/// allocate nothing batch after batch.
/// </summary>
public sealed class LispDecapsulationPipelineTests
{
    [Fact]
    public void Decapsulated_and_routed_frames_dissect_cleanly_in_tshark_with_the_expected_ttls()
    {
        TsharkOracle.RequireInstalled();
        using var harness = new LispDecapsulationHarness();
        var frames = LispDecapsulationHarness.GoldenInput("etr-ttl-min-rule");
        frames.AddRange(LispDecapsulationHarness.GoldenInput("etr-ecn-ce"));
        var packets = harness.Process(frames);
        using var capture = new TempFile(".pcap");
        using (var writer = new PcapWriter(capture.Path))
        {
            foreach (var packet in packets)
            {
                Assert.Equal(PacketDisposition.Transmit, packet.Disposition);
                Assert.Equal(1, packet.EgressPort); // eid-side
                writer.Write(packet);
            }
        }

        Assert.Empty(TsharkOracle.Problems(capture.Path));
        var rows = TsharkOracle.Columns(capture.Path, "eth.src", "ip.ttl", "ipv6.hlim", "udp.dstport", "ip.dsfield.ecn");
        Assert.All(rows, row => Assert.Equal("02:00:00:00:01:01", row[0]));
        Assert.All(rows, row => Assert.Equal("5001", row[3])); // the inner UDP, not 4341: the tunnel is gone
        // etr-ttl-min-rule: min(outer, inner) - 1 for each packet (the generator's comments give the pairs).
        Assert.Equal(["4", "29", "", "2", ""], rows.Take(5).Select(r => r[1]));
        Assert.Equal(["", "", "9", "", "253"], rows.Take(5).Select(r => r[2]));
        // etr-ecn-ce: CE carried into ECT(0) and ECT(1), Not-ECT left alone, outer ECT(1) changes nothing.
        Assert.Equal(["3", "3", "0", "2"], rows.Skip(5).Take(4).Select(r => r[4]));
        var snapshot = harness.Plane.Counters();
        Assert.True(snapshot.IsConserved, snapshot.ToTable());
        Assert.Equal(frames.Count, snapshot.Counted(ForwardingEvent.LispDecapsulated));
    }

    [Fact]
    public void Decapsulating_and_routing_full_batches_allocates_nothing()
    {
        using var harness = new LispDecapsulationHarness();
        var templates = LispDecapsulationHarness.GoldenInput("etr-v4-in-v4");
        templates.AddRange(LispDecapsulationHarness.GoldenInput("etr-v6-in-v6"));
        templates.AddRange(LispDecapsulationHarness.GoldenInput("etr-foreign-rloc"));
        templates.AddRange(LispDecapsulationHarness.GoldenInput("etr-control-punt"));
        var frames = Enumerable.Range(0, PacketBatch.MaxCapacity).Select(i => templates[i % templates.Count]).ToList();
        for (int i = 0; i < 20; i++)
        {
            harness.Process(frames);
        }

        long least = long.MaxValue;
        for (int run = 0; run < 3 && least != 0; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 200; i++)
            {
                harness.Process(frames);
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
        var snapshot = harness.Plane.Counters();
        Assert.True(snapshot.IsConserved, snapshot.ToTable());
        Assert.True(snapshot.Counted(ForwardingEvent.LispDecapsulated) > 0);
        Assert.True(snapshot.Dropped(DropReason.LispToForeignRloc) > 0);
        Assert.True(snapshot.Punted > 0);
    }
}
