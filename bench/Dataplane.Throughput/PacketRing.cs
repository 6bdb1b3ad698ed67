using Dataplane.Forwarding.Buffers;
using Dataplane.Throughput.Scenarios;

namespace Dataplane.Throughput;

/// <summary>
/// One worker's stand-in for a NIC receive ring: R distinct frames handed to the pipeline 256 at a time (cycling),
/// as a port's burst would. The frames live in one batch's worth of <see cref="PacketPool"/> buffers, reused by every
/// receive, exactly as the C baseline (native/bench/itr_baseline.c) reuses its 256: a NIC with DDIO (or a port's
/// recycled mbufs) hands over buffers that are in the cache, and a ring of 16384 cold 2 KiB buffers (32 MiB) would
/// charge the pipeline for the harness's own cache misses. Each receive reattaches every descriptor (data offset back
/// to the headroom, length, metadata cleared, ingress port) and writes the frame's first min(length, 128) bytes from
/// its template: every header any stage reads or rewrites lies within them (TTL, checksums, NAT, a fresh Ethernet
/// header after a decapsulation). The payload beyond is the same in every frame of a scenario (checked at setup), is
/// never touched by a stage, and is written once: a NIC's DMA write of it is no CPU work, and copying it here would
/// charge the pipeline for a memcpy no real port makes it do.
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
    private readonly int frameCount;
    private readonly byte[] payload;
    private int next;

    public PacketRing(IScenario scenario, ScenarioSettings settings, int frames, int frameLength)
    {
        if (frames < PacketBatch.MaxCapacity || frames % PacketBatch.MaxCapacity != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(frames), frames, "the ring holds whole batches of 256 frames");
        }

        FrameLength = frameLength;
        ingressPort = scenario.IngressPort;
        frameCount = frames;
        pool = new PacketPool(PacketBatch.MaxCapacity);
        slots = new PacketDescriptor[PacketBatch.MaxCapacity];
        restored = Math.Min(frameLength, RestoredBytes);
        templates = new byte[frames * restored];
        byte[] firstFrame = new byte[frameLength];
        byte[] frame = new byte[frameLength];
        for (int i = 0; i < frames; i++)
        {
            Array.Clear(frame);
            scenario.WriteFrame(frame, i, settings);
            frame.AsSpan(0, restored).CopyTo(templates.AsSpan(i * restored, restored));
            if (i == 0)
            {
                frame.CopyTo(firstFrame, 0);
            }
            else if (!frame.AsSpan(restored).SequenceEqual(firstFrame.AsSpan(restored)))
            {
                throw new InvalidOperationException($"frame {i} of {scenario.Name} differs from frame 0 beyond byte {restored}: the ring restores only the first {restored} bytes");
            }
        }

        for (int i = 0; i < slots.Length; i++)
        {
            if (!pool.TryAllocate(ref slots[i]))
            {
                throw new InvalidOperationException("the packet pool is smaller than a batch");
            }

            slots[i].Reattach(pool.Headroom, frameLength);
            firstFrame.CopyTo(slots[i].Data);
        }

        payload = firstFrame;
    }

    public int Frames => frameCount;

    public int FrameLength { get; }

    /// <summary>The frame the ring's frame <paramref name="index"/> arrives as (a copy, for checks).</summary>
    public byte[] Template(int index)
    {
        byte[] copy = (byte[])payload.Clone();
        templates.AsSpan(index * restored, restored).CopyTo(copy);
        return copy;
    }

    /// <summary>Fills <paramref name="batch"/> with the next 256 frames of the ring, as they arrived.</summary>
    public void Receive(PacketBatch batch)
    {
        batch.Clear();
        int start = next;
        next = start + PacketBatch.MaxCapacity == frameCount ? 0 : start + PacketBatch.MaxCapacity;
        int headroom = pool.Headroom;
        for (int i = 0; i < PacketBatch.MaxCapacity; i++)
        {
            batch.TryAdd(slots[i]);
            ref var packet = ref batch[i];
            packet.Reattach(headroom, FrameLength);
            packet.IngressPort = ingressPort;
            templates.AsSpan((start + i) * restored, restored).CopyTo(packet.Data);
        }
    }

    public void Dispose() => pool.Dispose();
}
