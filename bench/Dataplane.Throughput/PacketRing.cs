using Dataplane.Forwarding.Buffers;
using Dataplane.Throughput.Scenarios;

namespace Dataplane.Throughput;

/// <summary>
/// One worker's stand-in for a NIC receive ring: R distinct frames, each in its own <see cref="PacketPool"/> buffer,
/// written once at setup. A receive hands the pipeline the next 256 of them (cycling), as a port's burst would:
/// every descriptor is reattached (data offset back to the headroom, length, metadata cleared, ingress port) and
/// the first min(length, 128) bytes are restored from the template, because stages rewrite headers in place (TTL,
/// checksums, NAT, a fresh Ethernet header after a decapsulation) and a packet must arrive as it was sent. The
/// payload beyond is never touched by a stage, so it is not rewritten: a NIC's DMA write of it is no CPU work, and
/// copying it here would charge the pipeline for a memcpy no real port makes it do.
/// </summary>
public sealed class PacketRing : IDisposable
{
    /// <summary>The bytes restored per receive: every header any stage rewrites lies within them.</summary>
    public const int RestoredBytes = 128;

    private readonly PacketPool pool;
    private readonly PacketDescriptor[] slots;
    private readonly byte[] templates;
    private readonly int restored;
    private readonly ushort ingressPort;
    private int next;

    public PacketRing(IScenario scenario, ScenarioSettings settings, int frames, int frameLength)
    {
        if (frames < PacketBatch.MaxCapacity || frames % PacketBatch.MaxCapacity != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(frames), frames, "the ring holds whole batches of 256 frames");
        }

        FrameLength = frameLength;
        ingressPort = scenario.IngressPort;
        pool = new PacketPool(frames);
        slots = new PacketDescriptor[frames];
        restored = Math.Min(frameLength, RestoredBytes);
        templates = new byte[frames * restored];
        for (int i = 0; i < frames; i++)
        {
            if (!pool.TryAllocate(ref slots[i]))
            {
                throw new InvalidOperationException("the packet pool is smaller than the ring");
            }

            slots[i].Reattach(pool.Headroom, frameLength);
            var data = slots[i].Data;
            data.Clear();
            scenario.WriteFrame(data, i, settings);
            data[..restored].CopyTo(templates.AsSpan(i * restored, restored));
        }
    }

    public int Frames => slots.Length;

    public int FrameLength { get; }

    /// <summary>The frame the ring's slot <paramref name="index"/> starts as (a copy, for checks).</summary>
    public byte[] Template(int index)
    {
        var packet = slots[index];
        packet.Reattach(pool.Headroom, FrameLength);
        byte[] copy = packet.Data.ToArray();
        templates.AsSpan(index * restored, restored).CopyTo(copy);
        return copy;
    }

    /// <summary>Fills <paramref name="batch"/> with the next 256 frames of the ring, as they arrived.</summary>
    public void Receive(PacketBatch batch)
    {
        batch.Clear();
        int start = next;
        next = start + PacketBatch.MaxCapacity == slots.Length ? 0 : start + PacketBatch.MaxCapacity;
        int headroom = pool.Headroom;
        for (int i = 0; i < PacketBatch.MaxCapacity; i++)
        {
            batch.TryAdd(slots[start + i]);
            ref var packet = ref batch[i];
            packet.Reattach(headroom, FrameLength);
            packet.IngressPort = ingressPort;
            templates.AsSpan((start + i) * restored, restored).CopyTo(packet.Data);
        }
    }

    public void Dispose() => pool.Dispose();
}
