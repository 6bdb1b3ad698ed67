using Dataplane.Forwarding.Buffers;

namespace Dataplane.Forwarding.Egress;

/// <summary>
/// One worker's egress scheduler for one port. Frames are queued by class (DSCP) and leave at the port's rate: each
/// class first gets its guaranteed rate (a token bucket per class), then the capacity left is shared by deficit round
/// robin, by weight, among the classes with packets waiting, best effort included. Work conserving: a rate a class
/// does not use goes to the others. No allocation, no lock: the worker that owns it is its only user. Time is given
/// by the caller in ticks of <c>ticksPerSecond</c>, so the algorithm runs on a virtual clock in tests.
/// </summary>
public sealed class EgressScheduler
{
    private readonly EgressClassQueue[] classes;
    private readonly byte[] classOfDscp = new byte[64];
    private readonly int bestEffort;
    private readonly int overhead;
    private TokenBucket port;
    private long lastTicks;
    private int backlog;

    // Deficit round robin, kept across calls: the class whose turn it is, and whether it has had its quantum for it.
    private int turn;
    private bool turnCredited;

    public EgressScheduler(EgressSchedulerSettings settings, long ticksPerSecond, long nowTicks)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Classes.Count is < 1 or > 255)
        {
            throw new ArgumentException("1..255 classes, the last one best effort", nameof(settings));
        }

        Settings = settings;
        classes = new EgressClassQueue[settings.Classes.Count];
        bestEffort = classes.Length - 1;
        Array.Fill(classOfDscp, (byte)bestEffort);
        for (int c = 0; c < classes.Length; c++)
        {
            var cls = settings.Classes[c];
            classes[c] = new EgressClassQueue(cls, settings.BurstBytes, settings.RateBitsPerSecond, ticksPerSecond);
            foreach (int dscp in cls.Dscp)
            {
                classOfDscp[dscp] = (byte)c;
            }
        }

        overhead = settings.FrameOverheadBytes;
        port = new TokenBucket(settings.RateBitsPerSecond, settings.BurstBytes, ticksPerSecond);
        lastTicks = nowTicks;
    }

    public EgressSchedulerSettings Settings { get; }

    /// <summary>The classes in configuration order, best effort last.</summary>
    public IReadOnlyList<EgressClassQueue> Classes => classes;

    /// <summary>Packets waiting in every class.</summary>
    public int Backlog => backlog;

    /// <summary>The class a packet goes to: by the DSCP of its IPv4 or IPv6 header, best effort when it has none.</summary>
    public int ClassOf(in PacketDescriptor packet)
    {
        int dscp = EgressDscp.Read(packet.Data, packet.Format);
        return dscp < 0 ? bestEffort : classOfDscp[dscp];
    }

    /// <summary>Queues a packet in its class; false (counted in that class's drops) when the class's queue is full.</summary>
    public bool TryEnqueue(in PacketDescriptor packet)
    {
        if (!classes[ClassOf(packet)].TryEnqueue(packet))
        {
            return false;
        }

        backlog++;
        return true;
    }

    /// <summary>
    /// Lets out what the port's rate allows since the last call, into <paramref name="output"/> (up to its length);
    /// returns how many. Called every poll, with or without new arrivals, so a backlog drains.
    /// </summary>
    public int Dequeue(long nowTicks, Span<PacketDescriptor> output)
    {
        long elapsed = nowTicks - lastTicks;
        if (elapsed > 0)
        {
            lastTicks = nowTicks;
            port.Refill(elapsed);
            for (int c = 0; c < classes.Length; c++)
            {
                if (classes[c].HasGuarantee)
                {
                    classes[c].Guarantee.Refill(elapsed);
                }
            }
        }

        if (backlog == 0 || output.IsEmpty || !port.HasCredit)
        {
            return 0;
        }

        int sent = SendGuaranteed(output);
        if (sent < output.Length && port.HasCredit && backlog > 0)
        {
            sent += ShareSpare(output[sent..]);
        }

        return sent;
    }

    /// <summary>First, each class with a guarantee sends while its own bucket and the port's hold credit.</summary>
    private int SendGuaranteed(Span<PacketDescriptor> output)
    {
        int sent = 0;
        for (int c = 0; c < classes.Length; c++)
        {
            var cls = classes[c];
            if (!cls.HasGuarantee)
            {
                continue;
            }

            while (!cls.IsEmpty && cls.Guarantee.HasCredit)
            {
                if (!port.HasCredit || sent == output.Length)
                {
                    return sent;
                }

                int cost = cls.Head.Length + overhead;
                cls.Dequeue(out output[sent++]);
                backlog--;
                cls.Guarantee.Spend(cost);
                port.Spend(cost);
            }
        }

        return sent;
    }

    /// <summary>
    /// Then the port's remaining credit goes by deficit round robin: at its turn a class with packets waiting adds its
    /// quantum (weight x 1518 bytes) to its deficit and sends head frames while they fit in it. When the port's credit
    /// or the output runs out mid-turn, the turn resumes there at the next call, so shares hold across calls.
    /// </summary>
    private int ShareSpare(Span<PacketDescriptor> output)
    {
        int sent = 0;
        // Bounded: every visit to a waiting class adds at least 1518 bytes to its deficit, so a frame of any size
        // (at most 64 KiB) leaves within 44 visits to its class; what is left over waits for the next call.
        for (int visits = 0; visits < 64 * classes.Length; visits++)
        {
            var cls = classes[turn];
            if (cls.IsEmpty)
            {
                cls.Deficit = 0;
                NextTurn();
                continue;
            }

            if (!turnCredited)
            {
                cls.Deficit += cls.Quantum;
                turnCredited = true;
            }

            while (!cls.IsEmpty)
            {
                int cost = cls.Head.Length + overhead;
                if (cost > cls.Deficit)
                {
                    break;
                }

                if (!port.HasCredit || sent == output.Length)
                {
                    return sent;
                }

                cls.Dequeue(out output[sent++]);
                backlog--;
                cls.Deficit -= cost;
                port.Spend(cost);
            }

            if (cls.IsEmpty)
            {
                cls.Deficit = 0;
            }

            NextTurn();
            if (backlog == 0 || !port.HasCredit)
            {
                return sent;
            }
        }

        return sent;
    }

    private void NextTurn()
    {
        turn = turn + 1 == classes.Length ? 0 : turn + 1;
        turnCredited = false;
    }

    /// <summary>Takes every waiting packet out, unsent and uncounted, so the caller frees its buffer (at shutdown); returns how many.</summary>
    public int DiscardAll(Span<PacketDescriptor> output)
    {
        int taken = 0;
        for (int c = 0; c < classes.Length && taken < output.Length; c++)
        {
            while (taken < output.Length && classes[c].TryDiscard(out output[taken]))
            {
                taken++;
                backlog--;
            }
        }

        return taken;
    }
}
