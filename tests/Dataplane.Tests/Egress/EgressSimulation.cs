using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Egress;

namespace Dataplane.Tests.Egress;

/// <summary>Traffic offered to a scheduler: frames of one length and DSCP at a steady rate in bits per second of frames.</summary>
internal sealed record EgressOffer(int Dscp, long BitsPerSecond, int FrameLength);

/// <summary>
/// Runs an <see cref="EgressScheduler"/> on a virtual clock (nanosecond ticks, a poll every <c>step</c>): each poll the
/// offers' frames arrive (IPv4 in Ethernet, the DSCP in the TOS byte), are queued, and whatever the scheduler lets out
/// is tallied per DSCP read back from the frame's own bytes, not from the scheduler's counters. Deterministic.
/// </summary>
internal sealed class EgressSimulation : IDisposable
{
    public const long TicksPerSecond = 1_000_000_000;

    private readonly PacketPool pool;
    private readonly PacketDescriptor[] output = new PacketDescriptor[PacketBatch.MaxCapacity];

    public EgressSimulation(EgressSchedulerSettings settings, int buffers = 16384, int frameCapacity = PacketPool.DefaultFrameCapacity)
    {
        pool = new PacketPool(buffers, frameCapacity);
        Scheduler = new EgressScheduler(settings, TicksPerSecond, 0);
    }

    public EgressScheduler Scheduler { get; }

    /// <summary>Frame bits delivered per DSCP in the measured part of the last run.</summary>
    public long[] DeliveredBits { get; } = new long[64];

    /// <summary>Frames refused by a full queue, per DSCP, over the whole run.</summary>
    public long[] Refused { get; } = new long[64];

    public long Now { get; private set; }

    /// <summary>Offers the traffic for <paramref name="seconds"/>, counting what leaves after <paramref name="measureFrom"/> seconds.</summary>
    public void Run(IReadOnlyList<EgressOffer> offers, double seconds, double measureFrom, long stepNanoseconds = 10_000)
    {
        var credit = new double[offers.Count];
        long end = Now + (long)(seconds * TicksPerSecond);
        long measureStart = Now + (long)(measureFrom * TicksPerSecond);
        while (Now < end)
        {
            Now += stepNanoseconds;
            for (int o = 0; o < offers.Count; o++)
            {
                var offer = offers[o];
                credit[o] += offer.BitsPerSecond * (double)stepNanoseconds / TicksPerSecond;
                while (credit[o] >= offer.FrameLength * 8)
                {
                    credit[o] -= offer.FrameLength * 8;
                    Offer(offer.Dscp, offer.FrameLength);
                }
            }

            int sent = Scheduler.Dequeue(Now, output);
            for (int i = 0; i < sent; i++)
            {
                int dscp = output[i].Data[15] >> 2;
                if (Now > measureStart)
                {
                    DeliveredBits[dscp] += output[i].Length * 8L;
                }

                pool.Free(ref output[i]);
            }
        }
    }

    /// <summary>Bits per second delivered to <paramref name="dscp"/> over a measured window of <paramref name="seconds"/>.</summary>
    public double Rate(int dscp, double seconds) => DeliveredBits[dscp] / seconds;

    public void Offer(int dscp, int frameLength)
    {
        var packet = default(PacketDescriptor);
        if (!pool.TryAllocate(ref packet))
        {
            throw new InvalidOperationException("the test's pool ran dry: the queues hold more than it has");
        }

        packet.TrySetLength(frameLength);
        var data = packet.Data;
        data[..14].Fill(0x02);
        data[12] = 0x08;
        data[13] = 0x00;
        data[14] = 0x45;
        data[15] = (byte)(dscp << 2);
        if (!Scheduler.TryEnqueue(packet))
        {
            Refused[dscp]++;
            pool.Free(ref packet);
        }
    }

    public void Dispose()
    {
        int got;
        while ((got = Scheduler.DiscardAll(output)) > 0)
        {
            for (int i = 0; i < got; i++)
            {
                pool.Free(ref output[i]);
            }
        }

        pool.Dispose();
    }
}
