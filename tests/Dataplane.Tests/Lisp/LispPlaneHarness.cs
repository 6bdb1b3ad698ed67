using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.Time;

namespace Dataplane.Tests.Lisp;

/// <summary>
/// A forwarding plane built from a configuration, one worker, and a pool: feeds frames (arriving on port 0) through
/// <see cref="ForwardingPipeline.Process"/> and returns what became of each.
/// </summary>
public sealed class LispPlaneHarness : IDisposable
{
    private readonly PacketPool pool = new(bufferCount: 512);
    private readonly PacketBatch batch = new();

    public LispPlaneHarness(DataplaneConfig config, ulong? nonceSeed = 1, ManualClock? clock = null)
    {
        Clock = clock ?? new ManualClock(1_000_000_000);
        Plane = ForwardingPlaneBuilder.Build(config, new ForwardingPlaneOptions { Clock = Clock, NonceSeed = nonceSeed });
        Worker = Plane.CreateWorker();
    }

    public ManualClock Clock { get; }

    public ForwardingPlane Plane { get; }

    public ForwardingPipeline Worker { get; }

    public static LispPlaneHarness FromJson(string json, ulong? nonceSeed = 1) => new(DataplaneConfigFile.Parse(json), nonceSeed);

    /// <summary>Processes the frames as one batch; <paramref name="flags"/> is preset on every descriptor (e.g. FromLispTunnel).</summary>
    public List<Outcome> Process(IReadOnlyList<byte[]> frames, byte flags = 0)
    {
        batch.Clear();
        foreach (byte[] frame in frames)
        {
            var packet = default(PacketDescriptor);
            Assert.True(pool.TryAllocate(ref packet));
            Assert.True(packet.TrySetLength(frame.Length));
            frame.CopyTo(packet.Data);
            packet.Flags = flags;
            batch.TryAdd(packet);
        }

        Worker.Process(batch);
        var outcomes = new List<Outcome>();
        foreach (ref var packet in batch.AsSpan())
        {
            outcomes.Add(new Outcome(packet.Disposition, packet.IsDropped ? (DropReason)packet.DropReason : 0,
                packet.EgressPort, packet.Data.ToArray()));
            if (packet.Disposition != PacketDisposition.Punt || packet.IsDropped)
            {
                pool.Free(ref packet);
            }
        }

        while (Worker.Punts.TryDequeue(out var punted))
        {
            pool.Free(ref punted);
        }

        batch.Clear();
        return outcomes;
    }

    public void Dispose() => pool.Dispose();

    public sealed record Outcome(PacketDisposition Disposition, DropReason Drop, ushort Port, byte[] Bytes)
    {
        public bool Transmitted => Disposition == PacketDisposition.Transmit && Drop == 0;
    }
}
