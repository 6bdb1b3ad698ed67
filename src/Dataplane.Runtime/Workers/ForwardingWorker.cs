using System.Runtime.CompilerServices;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
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
    private long lastReceiveTicks;

    // What the worker is in, and on which port: plain stores on the hot path, read only to explain a stuck stop.
    private WorkerPhase phase;
    private int phasePort = -1;

    public ForwardingWorker(int index, ForwardingPipeline pipeline, PortSet ports)
    {
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
            phase = WorkerPhase.Process;
            Pipeline.Process(received);
            Dispatch();
        }

        return total;
    }

    private void Dispatch()
    {
        var counters = Pipeline.Counters;
        Sort(received.AsSpan(), counters);
        var emitter = Pipeline.Emitter;
        if (emitter.Count != 0)
        {
            Sort(emitter.Packets, counters);
            emitter.Clear();
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

    private void Flush(int port, WorkerCounters counters)
    {
        var burst = outgoing[port];
        var packets = burst.AsSpan();
        phasePort = port;
        phase = WorkerPhase.Transmit;
        int sent = ports[port].Transmit(Index, packets, ports);
        for (int i = sent; i < packets.Length; i++)
        {
            Unsent(ref packets[i], counters);
        }

        burst.Clear();
    }

    /// <summary>A packet the pipeline counted as transmitted that the port could not take: recount it as a drop.</summary>
    private void Unsent(ref PacketDescriptor packet, WorkerCounters counters)
    {
        counters.Transmitted--;
        counters.Drop(DropReason.TxQueueFull);
        ports.Free(ref packet);
    }
}
