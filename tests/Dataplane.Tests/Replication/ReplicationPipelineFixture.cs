using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Replication;

/// <summary>A worker's pipeline of one stage over four ports (0 receives, 1-3 send), and frames to feed it.</summary>
internal static class ReplicationPipelineFixture
{
    public static ForwardingPipeline WorkerPipeline(IBatchStage stage) =>
        new(new PortTable(Enumerable.Range(0, 4).Select(i =>
                new PortInfo((ushort)i, $"p{i}", MacAddress.Parse($"02:00:00:00:00:0{i}"), PortInfo.DefaultMtu, 0, []))),
            [stage], new PuntQueue(64), new WorkerCounters());

    /// <summary>Ethernet / IPv4 / UDP with a zero payload, the <paramref name="sequence"/> in the source port.</summary>
    public static byte[] Frame(int sequence) => Lisp.LispTestFrames.Ipv4Udp("192.0.2.1", "198.51.100.7", sourcePort: (ushort)(1000 + sequence));

    /// <summary>Copies each frame into a buffer of <paramref name="pool"/>, received on port 0, and fills the batch with them.</summary>
    public static void Fill(PacketBatch batch, PacketPool pool, IReadOnlyList<byte[]> frames)
    {
        batch.Clear();
        foreach (var frame in frames)
        {
            var packet = default(PacketDescriptor);
            Assert.True(pool.TryAllocate(ref packet));
            Assert.True(packet.TrySetLength(frame.Length));
            frame.CopyTo(packet.Data);
            Assert.True(batch.TryAdd(packet));
        }
    }
}
