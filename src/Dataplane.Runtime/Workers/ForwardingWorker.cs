using System.Runtime.CompilerServices;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Runtime.Egress;
using Dataplane.Runtime.Ports;

namespace Dataplane.Runtime.Workers;

/// <summary>
/// One run-to-completion worker: it polls its own queue (its index) of every port, runs each received batch through
/// its pipeline, hands the transmitted packets to their egress ports in per-port bursts, frees the dropped ones, and
/// leaves the punted ones to the control thread. Between rounds it holds no reference into any table: that is its
/// quiescent point, where it passes the <see cref="QuiescenceBarrier"/> so the control thread can reclaim retired
/// table memory.
/// </summary>
public sealed class ForwardingWorker
{
    private readonly PortSet ports;
    private readonly PacketBatch received = new();
    private readonly PacketBatch[] outgoing;
    private readonly IdleWait idleWait;
    private readonly WorkerEgress? egress;
    private long lastReceiveTicks;

    // What the worker is in, and on which port: plain stores on the hot path, read only to explain a stuck stop.
    private WorkerPhase phase;
    private int phasePort = -1;

    public ForwardingWorker(int index, ForwardingPipeline pipeline, PortSet ports)
        : this(index, pipeline, ports, egress: null)
    {
    }

    /// <summary>A worker whose packets for the ports with an egress scheduler go through <paramref name="egress"/> (its own).</summary>
    public ForwardingWorker(int index, ForwardingPipeline pipeline, PortSet ports, WorkerEgress? egress)
    {
        this.egress = egress;
        Index = index;
        Pipeline = pipeline;
        this.ports = ports;
        idleWait = new IdleWait(ports, index);
        outgoing = new PacketBatch[ports.Count];
        for (int i = 0; i < outgoing.Length; i++)
        {
            outgoing[i] = new PacketBatch();
        }

        UseBufferSources(index, pipeline.Emitter, ports);
        pipeline.Pressure.TrackPorts(ports.Count);
    }

    /// <summary>
    /// Where the packets this worker's stages make take their buffers: a port that lends its own (DPDK: mbufs of its
    /// mempool) for what it received, the worker's pool of the <see cref="ReplicaPort"/> for every other port.
    /// Without a replica port, replicas of packets from the other ports are dropped as ReplicaNoBuffer.
    /// </summary>
    private static void UseBufferSources(int worker, PacketEmitter emitter, PortSet ports)
    {
        var replicas = ports.All.OfType<ReplicaPort>().FirstOrDefault();
        var byPort = new IPacketBufferSource?[ports.Count];
        foreach (var port in ports.All)
        {
            if (port is IPacketBufferProvider provider and not ReplicaPort)
            {
                byPort[port.Id] = provider.BufferSourceFor(worker);
            }
        }

        emitter.UseSources(byPort, replicas?.BufferSourceFor(worker));
    }

    public int Index { get; }

    public ForwardingPipeline Pipeline { get; }

    /// <summary>The worker's egress schedulers; null when no port is shaped.</summary>
    public WorkerEgress? Egress => egress;

    /// <summary>Environment.TickCount64 of the last round that received anything.</summary>
    public long LastReceiveTicks => Volatile.Read(ref lastReceiveTicks);

    /// <summary>The phase the worker was last seen in (not synchronized: a diagnostic, exact once it is stuck).</summary>
    public WorkerPhase Phase => (WorkerPhase)Volatile.Read(ref Unsafe.As<WorkerPhase, int>(ref phase));

    /// <summary>"transmit on port und" and the like: what a worker that does not stop was doing.</summary>
    public string Activity
    {
        get
        {
            var current = Phase;
            int port = Volatile.Read(ref phasePort);
            return current is WorkerPhase.Receive or WorkerPhase.Process or WorkerPhase.Transmit && port >= 0 && port < ports.Count
                ? $"{current.ToString().ToLowerInvariant()} on port {ports[port].Name}"
                : current switch
                {
                    WorkerPhase.IdleWait => "idle wait (poll on its ports)",
                    WorkerPhase.Quiescent => "quiescent point (parked for table reclamation)",
                    _ => current.ToString().ToLowerInvariant(),
                };
        }
    }

    /// <summary>Polls until <paramref name="stop"/> is set; busy-polls while traffic flows and backs off when idle.</summary>
    public void Run(CancellationToken stop, QuiescenceBarrier barrier)
    {
        Volatile.Write(ref lastReceiveTicks, Environment.TickCount64);
        int idleRounds = 0;
        while (!stop.IsCancellationRequested)
        {
            int got = PollOnce();
            phase = WorkerPhase.Quiescent;
            barrier.PassQuiescentPoint();
            if (got > 0)
            {
                idleRounds = 0;
                Volatile.Write(ref lastReceiveTicks, Environment.TickCount64);
            }
            else if (egress is not null && egress.Backlog > 0)
            {
                idleRounds = 0; // packets wait for their turn on a shaped port: keep polling, as if they had just arrived
            }
            else if (++idleRounds > 64)
            {
                // Idle: let the core go rather than spin at 100% on a shared host; a few microseconds of latency on
                // the first packet after a pause is the price. AF_PACKET ports wake us themselves (poll), so there
                // the wait is longer and the kernel's receive processing gets the core meanwhile.
                phase = WorkerPhase.IdleWait;
                if (idleWait.Blocks)
                {
                    idleWait.Wait(idleRounds > 4096 ? 2 : 1);
                }
                else
                {
                    Thread.Sleep(idleRounds > 4096 ? 1 : 0);
                }
            }
        }

        DiscardEgress();
        phase = WorkerPhase.Stopped;
    }

    /// <summary>One round over every port's queue; returns the packets received. Counted in the pipeline's <see cref="WorkerLoad"/>.</summary>
    public int PollOnce()
    {
        var load = Pipeline.Load;
        bool timed = load.BeginRound(out long start);
        int total = PollEveryPort();
        load.EndRound(total, timed, start);
        return total;
    }

    private int PollEveryPort()
    {
        int total = 0;
        for (int p = 0; p < ports.Count; p++)
        {
            var port = ports[p];
            if (Index >= port.QueueCount)
            {
                continue;
            }

            received.Clear();
            phasePort = p;
            phase = WorkerPhase.Receive;
            int got = port.Receive(Index, received);
            if (got == 0)
            {
                continue;
            }

            total += got;
            Pipeline.Pressure.CountReceive(got, received.Capacity);
            phase = WorkerPhase.Process;
            Pipeline.Process(received);
            Dispatch();
        }

        if (egress is not null)
        {
            SendShaped(egress);
        }

        return total;
    }

    private void Dispatch()
    {
        var counters = Pipeline.Counters;
        var emitter = Pipeline.Emitter;
        if (egress is null)
        {
            Sort(received.AsSpan(), counters);
            if (emitter.Count != 0)
            {
                Sort(emitter.Packets, counters);
                emitter.Clear();
            }
        }
        else
        {
            SortShaped(received.AsSpan(), counters, egress);
            if (emitter.Count != 0)
            {
                SortShaped(emitter.Packets, counters, egress);
                emitter.Clear();
            }
        }

        for (int p = 0; p < outgoing.Length; p++)
        {
            if (outgoing[p].Count != 0)
            {
                Flush(p, counters);
            }
        }
    }

    /// <summary>Frees the dropped packets and puts the transmitted ones into their egress port's burst.</summary>
    private void Sort(Span<PacketDescriptor> packets, WorkerCounters counters)
    {
        foreach (ref var packet in packets)
        {
            if (packet.IsDropped)
            {
                ports.Free(ref packet);
            }
            else if (packet.Disposition == PacketDisposition.Transmit)
            {
                if (packet.EgressPort >= outgoing.Length)
                {
                    Unsent(ref packet, counters);
                    continue;
                }

                // A batch and its replicas can hold more packets for one port than a burst: send the full one first.
                var burst = outgoing[packet.EgressPort];
                if (burst.IsFull)
                {
                    Flush(packet.EgressPort, counters);
                }

                burst.TryAdd(packet);
            }

            // Punted packets belong to the punt queue now; the control thread frees them.
        }
    }

    /// <summary>
    /// As <see cref="Sort"/>, but a packet for a shaped port goes into its class queue (or is dropped as
    /// EgressQueueFull when that is full); <see cref="SendShaped"/> lets it out when its turn comes.
    /// </summary>
    private void SortShaped(Span<PacketDescriptor> packets, WorkerCounters counters, WorkerEgress egress)
    {
        foreach (ref var packet in packets)
        {
            if (packet.IsDropped)
            {
                ports.Free(ref packet);
            }
            else if (packet.Disposition == PacketDisposition.Transmit)
            {
                if (packet.EgressPort >= outgoing.Length)
                {
                    Unsent(ref packet, counters);
                    continue;
                }

                if (egress.For(packet.EgressPort) is { } scheduler)
                {
                    if (!scheduler.TryEnqueue(packet))
                    {
                        Unsent(ref packet, counters, DropReason.EgressQueueFull);
                    }

                    continue;
                }

                var burst = outgoing[packet.EgressPort];
                if (burst.IsFull)
                {
                    Flush(packet.EgressPort, counters);
                }

                burst.TryAdd(packet);
            }
        }
    }

    /// <summary>Every poll, received anything or not: each shaped port's scheduler lets out what its rate allows now.</summary>
    private void SendShaped(WorkerEgress egress)
    {
        var counters = Pipeline.Counters;
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (int p in egress.ShapedPorts)
        {
            var scheduler = egress.For(p)!;
            var burst = outgoing[p];
            // A port's rate allows at most its burst depth at once; four full bursts bound the loop all the same.
            for (int round = 0; round < 4 && scheduler.Backlog > 0; round++)
            {
                int before = burst.Count;
                int room = burst.Capacity - before;
                int got = scheduler.Dequeue(now, burst.Extend(room));
                burst.Truncate(before + got);
                if (burst.Count != 0)
                {
                    Flush(p, counters);
                }

                if (got < room)
                {
                    break;
                }
            }
        }
    }

    /// <summary>What waits in the egress queues when the worker stops: never sent, its buffers freed, counted as EgressDiscardedAtStop.</summary>
    public void DiscardEgress()
    {
        if (egress is null)
        {
            return;
        }

        var counters = Pipeline.Counters;
        var discarded = new PacketDescriptor[PacketBatch.MaxCapacity]; // once, at stop
        foreach (int p in egress.ShapedPorts)
        {
            var scheduler = egress.For(p)!;
            int got;
            while ((got = scheduler.DiscardAll(discarded)) > 0)
            {
                for (int i = 0; i < got; i++)
                {
                    Unsent(ref discarded[i], counters, DropReason.EgressDiscardedAtStop);
                }
            }
        }
    }

    private void Flush(int port, WorkerCounters counters)
    {
        var burst = outgoing[port];
        var packets = burst.AsSpan();
        phasePort = port;
        phase = WorkerPhase.Transmit;
        int sent = ports[port].Transmit(Index, packets, ports);
        if (sent < packets.Length)
        {
            Pipeline.Pressure.CountRefused(port, packets.Length - sent);
            for (int i = sent; i < packets.Length; i++)
            {
                Unsent(ref packets[i], counters);
            }
        }

        burst.Clear();
    }

    /// <summary>A packet the pipeline counted as transmitted that the port could not take: recount it as a drop.</summary>
    private void Unsent(ref PacketDescriptor packet, WorkerCounters counters, DropReason reason = DropReason.TxQueueFull)
    {
        counters.Transmitted--;
        counters.Drop(reason);
        ports.Free(ref packet);
    }
}
