using System.Runtime.InteropServices;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.Time;
using Dataplane.Tests.Golden;

namespace Dataplane.Tests.Icmp;

/// <summary>
/// Runs frames through a plane built from a golden configuration, each frame in a buffer of its own that ends exactly
/// where the frame does (no tailroom, as a received frame may have) with the usual 128 octets of headroom in front.
/// </summary>
public sealed unsafe class TightFrameHarness : IDisposable
{
    public const int Headroom = 128;

    private readonly PacketBatch batch = new();
    private readonly List<nint> buffers = [];

    public TightFrameHarness(string goldenCase, Func<DataplaneConfig, DataplaneConfig>? adjust = null)
    {
        var config = DataplaneConfigFile.Load(new GoldenCase(goldenCase).ConfigPath);
        Plane = ForwardingPlaneBuilder.Build(adjust is null ? config : adjust(config), new ForwardingPlaneOptions { Clock = Clock, NonceSeed = 1 });
        Worker = Plane.CreateWorker();
    }

    public ManualClock Clock { get; } = new(1_000_000_000);

    public ForwardingPlane Plane { get; }

    public ForwardingPipeline Worker { get; }

    public CounterSnapshot Counters => Plane.Counters();

    /// <summary>A descriptor over a fresh buffer holding exactly <paramref name="frame"/> after the headroom.</summary>
    public PacketDescriptor Tight(byte[] frame, ushort ingressPort = 0)
    {
        byte* buffer = (byte*)NativeMemory.Alloc((nuint)(Headroom + frame.Length));
        buffers.Add((nint)buffer);
        var packet = default(PacketDescriptor);
        packet.Attach(buffer, Headroom + frame.Length, Headroom, frame.Length, owner: 0);
        frame.CopyTo(packet.Data);
        packet.IngressPort = ingressPort;
        Assert.Equal(0, packet.Tailroom);
        return packet;
    }

    /// <summary>Processes the frames as one batch (each in its own tight buffer) and returns each one's outcome.</summary>
    public List<(PacketDisposition Disposition, DropReason Drop, ushort Port, byte[] Bytes)> Process(ushort ingressPort, params byte[][] frames)
    {
        batch.Clear();
        foreach (byte[] frame in frames)
        {
            Assert.True(batch.TryAdd(Tight(frame, ingressPort)));
        }

        Worker.Process(batch);
        var outcomes = new List<(PacketDisposition, DropReason, ushort, byte[])>();
        foreach (ref var packet in batch.AsSpan())
        {
            outcomes.Add((packet.Disposition, packet.IsDropped ? (DropReason)packet.DropReason : DropReason.None, packet.EgressPort, packet.Data.ToArray()));
        }

        while (Worker.Punts.TryDequeue(out _))
        {
        }

        batch.Clear();
        return outcomes;
    }

    public void Dispose()
    {
        foreach (nint buffer in buffers)
        {
            NativeMemory.Free((void*)buffer);
        }
    }
}
