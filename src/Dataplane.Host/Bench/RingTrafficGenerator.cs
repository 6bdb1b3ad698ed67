using Dataplane.Forwarding.Buffers;
using Dataplane.Runtime.Ports;
using Dataplane.Ports.Dpdk;
using DpdkSharp;

namespace Dataplane.Host.Bench;

/// <summary>
/// The far end of the benchmark's net_ring cables: one DPDK port facing each data plane port. It keeps the ingress
/// port's receive ring full and takes back whatever the data plane transmits on any port, rewriting each returned
/// mbuf with the next test frame and sending it in again, so the loop runs on a fixed population of mbufs with no
/// allocation per packet on either side. When fewer come back than the ring could take (the start, or drops), it
/// tops the loop up with fresh mbufs until the ring is full.
/// </summary>
internal sealed class RingTrafficGenerator
{
    private const int TopUpBurst = 64;

    private readonly IReadOnlyList<DpdkPort> facing;
    private readonly DpdkPort ingress;
    private readonly byte[][] frames;
    private readonly PortSet owners;
    private int next;
    private long injected;
    private long returned;
    private long rounds;
    private long saturatedRounds;

    /// <param name="facing">One port per data plane port, in the same order.</param>
    /// <param name="ingressIndex">The data plane port the frames go into.</param>
    public RingTrafficGenerator(IReadOnlyList<DpdkPort> facing, int ingressIndex, byte[][] frames)
    {
        if (frames.Length == 0)
        {
            throw new ArgumentException("no frames to send", nameof(frames));
        }

        this.facing = facing;
        ingress = facing[ingressIndex];
        this.frames = frames;
        // Every mbuf in the loop is from the one pool and was received by a DPDK port, so Transmit sends it as it is
        // and never takes the copy path, the only one that frees through the owners.
        owners = new PortSet([]);
    }

    /// <summary>Frames sent into the data plane (fresh and recycled).</summary>
    public long Injected => Volatile.Read(ref injected);

    /// <summary>Frames that came back out of the data plane.</summary>
    public long Returned => Volatile.Read(ref returned);

    /// <summary>
    /// Share of the generator's rounds in which the ingress ring refused a frame because it was full. Well above 0
    /// means the data plane, not the generator, set the rate: the offered load was more than it took.
    /// </summary>
    public double SaturatedShare => Volatile.Read(ref rounds) is var r and > 0 ? (double)Volatile.Read(ref saturatedRounds) / r : 0;

    public void Run(CancellationToken stop)
    {
        var batch = new PacketBatch();
        while (!stop.IsCancellationRequested)
        {
            int back = 0;
            bool refused = false;
            foreach (var port in facing)
            {
                batch.Clear();
                int got = port.Receive(0, batch);
                if (got == 0)
                {
                    continue;
                }

                back += got;
                Rewrite(batch);
                var packets = batch.AsSpan();
                int sent = ingress.Transmit(0, packets, owners);
                port.FreeBulk(packets[sent..]); // the ring was full: these leave the loop
                refused |= sent < packets.Length;
                Volatile.Write(ref injected, injected + sent);
            }

            Volatile.Write(ref returned, returned + back);
            if (back < TopUpBurst)
            {
                refused |= !TopUp();
            }

            Volatile.Write(ref rounds, rounds + 1);
            if (refused)
            {
                Volatile.Write(ref saturatedRounds, saturatedRounds + 1);
            }
        }
    }

    private void Rewrite(PacketBatch batch)
    {
        foreach (ref var packet in batch.AsSpan())
        {
            var frame = frames[next];
            next = next + 1 == frames.Length ? 0 : next + 1;
            packet.Reattach(Mbuf.Headroom, frame.Length); // where a fresh mbuf's frame starts
            frame.CopyTo(packet.Data);
        }
    }

    /// <summary>Adds fresh frames until the ring is full; true when it took all of them (it was not full).</summary>
    private bool TopUp()
    {
        for (int i = 0; i < TopUpBurst; i++)
        {
            if (!ingress.TryInject(frames[next]))
            {
                return false; // ring full (the loop is saturated) or pool empty
            }

            next = next + 1 == frames.Length ? 0 : next + 1;
            Volatile.Write(ref injected, injected + 1);
        }

        return true;
    }
}
