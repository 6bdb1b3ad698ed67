using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Stages;
using Dataplane.Ports.Pcap;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Forwarding;

public sealed class ClassifyStageTests : IDisposable
{
    private readonly PacketPool _pool = new(bufferCount: 300);
    private readonly PacketBatch _batch = new();

    [Fact]
    public void Kinds_follow_what_tshark_dissects_and_malformed_packets_are_dropped_by_name()
    {
        string path = RepositoryPaths.Pcap("quickstart.pcap");
        var tshark = TsharkOracle.Fields(path, "frame.protocols", "ip.flags.mf", "ip.frag_offset", "ipv6.fraghdr.more", "ipv6.fraghdr.offset");
        ReadAll(path);
        var counters = new WorkerCounters();

        ClassifyStage.Run(_batch, counters);

        Assert.Equal(tshark.Count, _batch.Count);
        var expectedDrops = new Dictionary<int, DropReason>
        {
            // The malformed tail of pcaps/generate.py: cut IPv4 header, IHL 4, IPv4 total length 400, UDP length 200.
            [19] = DropReason.MalformedIpv4, [20] = DropReason.MalformedIpv4, [21] = DropReason.MalformedIpv4, [22] = DropReason.MalformedUdp,
        };
        for (int i = 0; i < _batch.Count; i++)
        {
            int frame = i + 1;
            var reason = (DropReason)_batch[i].DropReason;
            if (expectedDrops.TryGetValue(frame, out var expected))
            {
                Assert.Equal(expected, reason);
                continue;
            }

            Assert.True(reason == DropReason.None, $"frame {frame} dropped as {reason}");
            string[] protocols = tshark[i]["frame.protocols"][0].Split(':');
            // The outer header's fragment fields (the first of tshark's values): any fragment but an atomic one is one.
            bool fragment = new[] { "ip.flags.mf", "ip.frag_offset", "ipv6.fraghdr.more", "ipv6.fraghdr.offset" }
                .Any(field => tshark[i].TryGetValue(field, out var values) && values.Length > 0 && values[0].Split(',')[0] is not ("" or "0" or "False"));
            var expectedKind = fragment ? PacketKind.IpFragment
                : protocols.Contains("lisp-data") ? PacketKind.LispData
                : protocols.Contains("vxlan") ? PacketKind.Vxlan
                : protocols.Contains("gtp") ? PacketKind.GtpU
                : protocols.Contains("arp") ? PacketKind.Arp
                : protocols[2] == "ipv6" ? PacketKind.NativeIpv6
                : PacketKind.NativeIpv4;
            Assert.True(expectedKind == _batch[i].Kind, $"frame {frame}: tshark [{string.Join(':', protocols)}] but classified {_batch[i].Kind}");
        }

        var snapshot = CounterSnapshot.Sum([counters]);
        Assert.Equal(_batch.Count, snapshot.Received);
        Assert.Equal(4, snapshot.TotalDropped);
        Assert.Equal(3, snapshot.Drops[DropReason.MalformedIpv4]);
    }

    [Fact]
    public void Offsets_point_at_the_headers_from_the_buffer_start()
    {
        ReadAll(RepositoryPaths.Pcap("mixed.pcap"));
        ClassifyStage.Run(_batch, new WorkerCounters());

        ref var lisp = ref _batch[1]; // Ethernet / IPv4 / UDP 4341 / LISP
        Assert.Equal(lisp.DataOffset, lisp.L2Offset);
        Assert.Equal(lisp.DataOffset + 14, lisp.L3Offset);
        Assert.Equal(lisp.DataOffset + 34, lisp.L4Offset);
        Assert.Equal(0x45, lisp.BufferSpan[lisp.L3Offset]);

        ref var qinq = ref _batch[8]; // Ethernet / 802.1ad / 802.1Q / IPv4 / TCP
        Assert.Equal(qinq.DataOffset + 22, qinq.L3Offset);
        Assert.Equal(qinq.DataOffset + 42, qinq.L4Offset);
    }

    [Fact]
    public void Classifying_many_batches_allocates_nothing()
    {
        ReadAll(RepositoryPaths.Pcap("quickstart.pcap"));
        var counters = new WorkerCounters();
        ClassifyStage.Run(_batch, counters);

        // The runtime (tiered JIT, OSR) sometimes allocates a few bytes of its own once; a per-packet allocation
        // would be millions of bytes here and show in every run, so the smallest of three runs is what counts.
        long smallest = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int round = 0; round < 20_000; round++)
            {
                ClassifyStage.Run(_batch, counters);
            }

            smallest = Math.Min(smallest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, smallest);
        Assert.Equal(60_001L * _batch.Count, counters.Received);
    }

    private void ReadAll(string path)
    {
        using var reader = CaptureReader.Open(path, _pool);
        Assert.Equal(CaptureReadResult.EndOfFile, reader.ReadBatch(_batch));
    }

    public void Dispose()
    {
        _pool.Free(_batch);
        _pool.Dispose();
    }
}
