using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Ports.Pcap;
using Dataplane.Ports.Replay;
using Dataplane.Tests.Golden;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Fragments;

/// <summary>
/// The ITR of pcaps/golden/itr-v4-over-v4 (1500-byte underlay) given DF-clear IPv4 packets from its EID host that do
/// not fit once encapsulated (RFC 9300 section 7.1): each is cut in two and each half encapsulated; Scapy strips the
/// outer headers and its defragment() must give back the original packet, TTL one lower, options included (those
/// RFC 791 says are not copied left out of the second fragment). One too big for two fragments is dropped.
/// </summary>
public sealed class ItrFragmentationTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-itr-fragments-").FullName;

    [Fact]
    public void Scapy_reassembles_the_two_encapsulated_halves_into_the_original_packet()
    {
        string script = Path.Combine(RepositoryPaths.Root, "tests", "Dataplane.Tests", "Fragments", "itr_fragments.py");
        string input = Path.Combine(scratch, "in.pcap");
        string output = Path.Combine(scratch, "out.pcap");
        ScapyOracle.Run(script, "make", input);

        var clock = new ReplayClock();
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Load(new GoldenCase("itr-v4-over-v4").ConfigPath), new ForwardingPlaneOptions { Clock = clock, NonceSeed = 1 });
        ReplayResult result;
        using (var frames = File.OpenRead(input))
        using (var sent = new PcapWriter(output, CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds))
        using (var punts = new PcapWriter(Path.Combine(scratch, "punt.pcap"), CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds))
        {
            result = new PcapReplay(plane, clock).Run(frames, sent, punts);
        }

        var counters = result.Counters;
        string table = counters.ToTable();
        Assert.Null(result.InputError);
        Assert.True(counters.IsConserved, table);
        Assert.Equal(4, counters.Received);
        Assert.True(3 == counters.Counted(ForwardingEvent.InnerPacketFragmented), table);
        Assert.True(6 == counters.Transmitted, table);
        Assert.True(1 == counters.Dropped(DropReason.OverMtu), table);
        Assert.True(6 == counters.Counted(ForwardingEvent.LispEncapsulated), table);

        Assert.Equal("3 6", ScapyOracle.Run(script, "check", input, output).Trim());
        Assert.Empty(TsharkOracle.Problems(output));
    }

    [Fact]
    public void Cutting_and_encapsulating_allocates_nothing()
    {
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Load(new GoldenCase("itr-v4-over-v4").ConfigPath), new ForwardingPlaneOptions { NonceSeed = 1 });
        var worker = plane.CreateWorker();
        using var pool = new global::Dataplane.Forwarding.Buffers.PacketPool(bufferCount: 16);
        worker.Emitter.UseSources([], new global::Dataplane.Forwarding.Buffers.PacketPoolBufferSource(pool, 0));

        // 10.1.0.10 (EID host) to 10.2.0.5 (map-cached), 1500 bytes, DF clear: 36 bytes too big for the tunnel.
        var datagram = FragmentFrames.LispDatagram(0x77, 1500 - 28)[36..];
        datagram.AsSpan(12, 4).CopyTo(datagram.AsSpan(16));
        new byte[] { 10, 1, 0, 10 }.CopyTo(datagram.AsSpan(12));
        datagram[10] = datagram[11] = 0;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(10), global::Dataplane.Wire.Checksums.InternetChecksum.Compute(datagram.AsSpan(0, 20)));
        var frame = new byte[FragmentFrames.EthernetLength + datagram.Length];
        frame[0] = 0x02;
        frame[5] = 0x01;
        frame[12] = 0x08;
        datagram.CopyTo(frame, FragmentFrames.EthernetLength);
        var batch = new global::Dataplane.Forwarding.Buffers.PacketBatch();

        void Run(int count)
        {
            for (int n = 0; n < count; n++)
            {
                batch.Clear();
                FragmentFrames.Add(batch, pool, frame);
                worker.Process(batch);
                pool.Free(batch);
                pool.FreeBulk(worker.Emitter.Packets);
                worker.Emitter.Clear();
            }
        }

        Run(50);
        long smallest = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Run(300);
            smallest = Math.Min(smallest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, smallest);
        var counters = plane.Counters();
        Assert.True(counters.IsConserved, counters.ToTable());
        Assert.Equal(950, counters.Counted(ForwardingEvent.InnerPacketFragmented));
        Assert.Equal(1900, counters.Transmitted);
        Assert.Equal(16, pool.Available);
    }

    public void Dispose() => Directory.Delete(scratch, recursive: true);
}
