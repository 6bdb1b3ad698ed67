using System.Buffers.Binary;
using System.Diagnostics;
using Dataplane.Forwarding.Buffers;
using Dataplane.Runtime.Ports;
using Dataplane.Ports.AfPacket;

namespace Dataplane.Tests.AfPacket;

/// <summary>
/// The AF_PACKET port against the real kernel: a veth pair whose far end sits in a network namespace the test makes,
/// with frames sent and captured there by a plain packet socket.
/// </summary>
public sealed class AfPacketPortTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void OpeningAMissingInterfaceNamesIt()
    {
        var error = Assert.Throws<AfPacketException>(() => new AfPacketPort(0, "dpt-no-such-if", 1));
        Assert.Contains("'dpt-no-such-if'", error.Message);
        Assert.Contains("not found", error.Message);
    }

    [Fact]
    public void FramesSentInTheNamespaceArriveThroughTheRingByteForByteWithHeadroom()
    {
        VethNamespace.RequireRoot();
        using var veth = new VethNamespace();
        using var port = new AfPacketPort(3, veth.HostInterface, 1);
        var sent = Enumerable.Range(0, 10).Select(i => TestFrames.Experimental(i, 60 + i * 50)).ToList();
        NamespacePeer.Send(veth, sent);

        var batch = new PacketBatch();
        var received = new List<byte[]>();
        var deadline = Stopwatch.StartNew();
        while (received.Count < sent.Count && deadline.Elapsed < Patience)
        {
            batch.Clear();
            port.Receive(0, batch);
            for (var i = 0; i < batch.Count; i++)
            {
                ref var packet = ref batch[i];
                Assert.Equal((ushort)3, packet.IngressPort);
                Assert.Equal(FrameFormat.Ethernet, packet.Format);
                Assert.True(packet.Timestamp > 0);
                Assert.True(packet.Headroom >= 128, $"headroom {packet.Headroom}");
                received.Add(packet.Data.ToArray());
                // Encapsulation writes outer headers in front of the frame, in the ring itself.
                Assert.True(packet.TryPrepend(128, out var front));
                front.Fill(0xEE);
                Assert.True(packet.TryAdjust(128));
                Assert.Equal(received[^1], packet.Data.ToArray());
                port.Free(ref packet);
            }
        }

        Assert.Equal(sent.Count, received.Count);
        for (var i = 0; i < sent.Count; i++)
        {
            Assert.Equal(sent[i], received[i]);
        }
        var statistics = port.Statistics;
        Assert.Equal(sent.Count, statistics.ReceivedPackets);
        Assert.Equal(sent.Sum(f => (long)f.Length), statistics.ReceivedBytes);
        Assert.Equal(0, statistics.ReceiveDrops);
    }

    [Fact]
    public void AVlanTaggedFrameIsSeenWithItsTag()
    {
        VethNamespace.RequireRoot();
        using var veth = new VethNamespace();
        using var port = new AfPacketPort(0, veth.HostInterface, 1);
        var tagged = TestFrames.Tagged(7);
        NamespacePeer.Send(veth, [tagged, TestFrames.Experimental(8)]);

        var received = ReceiveCopies(port, 0, 2);

        Assert.Equal(2, received.Count);
        Assert.Equal(tagged, received[0]);
        Assert.Equal(TestFrames.Experimental(8), received[1]);
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(0)] // no transmit ring: sendmmsg
    public void TransmittedFramesArriveInTheNamespaceAndTheirBuffersGoBackToTheirOwner(int transmitFrameCount)
    {
        VethNamespace.RequireRoot();
        using var veth = new VethNamespace();
        using var pool = new PacketPool(16);
        // Disposed twice, by the PortSet and here: the second must be harmless.
        using var port = new AfPacketPort(0, veth.HostInterface, 1, new AfPacketOptions { TransmitFrameCount = transmitFrameCount });
        Assert.Equal(transmitFrameCount > 0, port.TransmitsThroughRing);
        using var ports = new PortSet([port, new PoolPort(1, pool)]);
        var frames = Enumerable.Range(0, 8).Select(i => TestFrames.Experimental(100 + i, 46 + i * 100)).ToArray();
        var packets = new PacketDescriptor[frames.Length];
        Assert.True(pool.TryAllocateBulk(packets));
        for (var i = 0; i < frames.Length; i++)
        {
            Assert.True(packets[i].TryAppend(frames[i].Length, out var room));
            frames[i].CopyTo(room);
            packets[i].IngressPort = 1;
        }

        using var capture = NamespacePeer.StartCapture(veth, frames.Length, 10);
        var sent = port.Transmit(0, packets, ports);

        Assert.Equal(frames.Length, sent);
        Assert.Equal(16, pool.Available);
        var captured = capture.Frames();
        Assert.True(frames.Length == captured.Count, $"captured {captured.Count} of {frames.Length}: {capture.Error}");
        for (var i = 0; i < frames.Length; i++)
        {
            Assert.Equal(frames[i], captured[i]);
        }
        Assert.Equal(frames.Length, port.Statistics.TransmittedPackets);
        Assert.Equal(frames.Sum(f => (long)f.Length), port.Statistics.TransmittedBytes);
        // Our own transmissions are not received back.
        Assert.Equal(0, port.Receive(0, new PacketBatch()));
    }

    [Fact]
    public void TwoQueuesInAFanoutGroupShareFlowsAndTogetherSeeEveryPacket()
    {
        VethNamespace.RequireRoot();
        using var veth = new VethNamespace();
        using var port = new AfPacketPort(0, veth.HostInterface, 2);
        const int flows = 24, perFlow = 4;
        var sent = new List<byte[]>();
        for (var s = 0; s < perFlow; s++)
        {
            for (var f = 0; f < flows; f++)
            {
                sent.Add(TestFrames.Udp(f, s * flows + f));
            }
        }
        NamespacePeer.Send(veth, sent);

        var queueOfFlow = new int[flows];
        Array.Fill(queueOfFlow, -1);
        var perQueue = new int[2];
        var seen = new HashSet<string>();
        var batch = new PacketBatch();
        var deadline = Stopwatch.StartNew();
        while (seen.Count < sent.Count && deadline.Elapsed < Patience)
        {
            for (var q = 0; q < 2; q++)
            {
                batch.Clear();
                port.Receive(q, batch);
                for (var i = 0; i < batch.Count; i++)
                {
                    ref var packet = ref batch[i];
                    var data = packet.Data;
                    var flow = data[33];
                    Assert.True(queueOfFlow[flow] == -1 || queueOfFlow[flow] == q, $"flow {flow} seen on both queues");
                    queueOfFlow[flow] = q;
                    perQueue[q]++;
                    Assert.True(seen.Add(Convert.ToHexString(data)), "a packet was received twice");
                    port.Free(ref packet);
                }
            }
        }

        Assert.Equal(sent.Count, seen.Count);
        Assert.All(sent, frame => Assert.Contains(Convert.ToHexString(frame), seen));
        Assert.True(perQueue[0] > 0 && perQueue[1] > 0, $"fanout left a queue idle: {perQueue[0]} / {perQueue[1]}");
    }

    [Fact]
    public void BlocksAreRecycledSoAPacedStreamLongerThanTheRingLosesNothing()
    {
        VethNamespace.RequireRoot();
        using var veth = new VethNamespace();
        // Eight 4 KiB blocks hold about a hundred of these frames (some 300 bytes each with the kernel's header and our
        // reserve); the stream is four times longer, so every block goes round several times.
        var options = new AfPacketOptions { BlockSize = 4096, BlockCount = 8, BlockTimeoutMilliseconds = 10 };
        using var port = new AfPacketPort(0, veth.HostInterface, 1, options);
        const int total = 400;
        using var sender = NamespacePeer.SendInBackground(veth, Enumerable.Range(0, total).Select(i => TestFrames.Experimental(i)).ToList(), delayMilliseconds: 1);

        var batch = new PacketBatch(16);
        var held = new List<PacketDescriptor>();
        var sequences = new List<int>();
        var deadline = Stopwatch.StartNew();
        while (sequences.Count < total && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            batch.Clear();
            port.Receive(0, batch);
            for (var i = 0; i < batch.Count; i++)
            {
                sequences.Add(BinaryPrimitives.ReadInt32BigEndian(batch[i].Data[14..]));
                held.Add(batch[i]);
            }
            // Free out of order, a batch late at most: a block must wait for its last packet, whichever that is.
            if (held.Count >= 2)
            {
                for (var i = held.Count - 1; i >= 0; i--)
                {
                    var packet = held[i];
                    port.Free(ref packet);
                }
                held.Clear();
            }
        }
        foreach (var p in held)
        {
            var packet = p;
            port.Free(ref packet);
        }
        sender.Join(Patience);

        Assert.Equal(0, port.Statistics.ReceiveDrops);
        Assert.Equal(Enumerable.Range(0, total), sequences);
    }

    [Fact]
    public void SteadyStateReceiveAndFreeAllocateNothing()
    {
        VethNamespace.RequireRoot();
        using var veth = new VethNamespace();
        using var port = new AfPacketPort(0, veth.HostInterface, 1);
        using var sender = NamespacePeer.SendInBackground(veth, Enumerable.Range(0, 3000).Select(i => TestFrames.Experimental(i)).ToList(), delayMilliseconds: 0.5);
        var batch = new PacketBatch();
        ReceiveAndFree(port, batch, 100);

        var least = long.MaxValue;
        for (var run = 0; run < 3; run++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var received = ReceiveAndFree(port, batch, 200);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(received >= 200, $"received only {received}");
            least = Math.Min(least, allocated);
        }
        sender.Join(TimeSpan.FromSeconds(30));

        Assert.Equal(0, least);
    }

    private static int ReceiveAndFree(AfPacketPort port, PacketBatch batch, int count)
    {
        var received = 0;
        var limit = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 20;
        while (received < count && Stopwatch.GetTimestamp() < limit)
        {
            batch.Clear();
            port.Receive(0, batch);
            var packets = batch.AsSpan();
            for (var i = 0; i < packets.Length; i++)
            {
                port.Free(ref packets[i]);
            }
            received += packets.Length;
        }
        return received;
    }

    private static List<byte[]> ReceiveCopies(AfPacketPort port, int queue, int count)
    {
        var batch = new PacketBatch();
        var received = new List<byte[]>();
        var deadline = Stopwatch.StartNew();
        while (received.Count < count && deadline.Elapsed < Patience)
        {
            batch.Clear();
            port.Receive(queue, batch);
            for (var i = 0; i < batch.Count; i++)
            {
                received.Add(batch[i].Data.ToArray());
                port.Free(ref batch[i]);
            }
        }
        return received;
    }
}
