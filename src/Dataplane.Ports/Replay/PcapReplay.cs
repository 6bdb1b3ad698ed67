using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;
using Dataplane.Ports.Pcap;
using Dataplane.Wire.Headers;

namespace Dataplane.Ports.Replay;

/// <summary>
/// Runs a capture through one worker's pipeline, exactly as a port would: read a batch into pool buffers, set the
/// ingress port, <see cref="ForwardingPipeline.Process"/>, write the transmitted packets to the output capture, drain
/// the punt queue into the punt capture, free the rest. Between batches the worker is quiescent, so table memory
/// retired by updates is reclaimed there.
/// </summary>
/// <remarks>
/// A drop capture or a trace needs to know what each stage did: the worker is then built with every stage wrapped
/// (<see cref="ObservedStage"/>), which changes nothing the stages do; without either it is the plain worker. The
/// first <see cref="ReplayOutputs.TraceCount"/> packets are processed one per batch, so the events a stage counts
/// during a call are that packet's; later packets go in full batches as usual.
/// </remarks>
public sealed class PcapReplay
{
    /// <summary>Frame capacity of replay buffers: jumbo frames fit; larger records are reported as input errors.</summary>
    public const int FrameCapacity = 9216;

    /// <summary>Room in front of each frame for the outer headers an encapsulation writes.</summary>
    public const int Headroom = 256;

    private readonly ForwardingPlane plane;
    private readonly ReplayClock? clock;

    /// <param name="plane">Built with <paramref name="clock"/> as its clock when capture time should drive TTLs and aging.</param>
    public PcapReplay(ForwardingPlane plane, ReplayClock? clock = null)
    {
        this.plane = plane;
        this.clock = clock;
    }

    /// <summary>Port number the input packets arrive on (those of a pcapng interface named after a port arrive on that port).</summary>
    public ushort IngressPort { get; init; }

    /// <summary>
    /// When true, a pcapng interface whose if_name is a configured port's name feeds that port, and one named after
    /// no port stops the replay with an input error; unnamed interfaces and classic pcap feed <see cref="IngressPort"/>.
    /// </summary>
    public bool PortsFromInterfaceNames { get; init; }

    /// <summary>Called about every <see cref="ProgressInterval"/> with the packets read so far and the input bytes consumed.</summary>
    public Action<long, long>? Progress { get; init; }

    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Replays into classic pcap writers, every port merged (the golden suite's format).</summary>
    public ReplayResult Run(Stream input, PcapWriter output, PcapWriter? punts) =>
        Run(input, new ReplayOutputs
        {
            Transmitted = new ClassicCaptureWriter(output),
            Punted = punts is null ? null : new ClassicCaptureWriter(punts),
        });

    /// <summary>Replays <paramref name="input"/>; the writers in <paramref name="outputs"/> are flushed, not disposed.</summary>
    public ReplayResult Run(Stream input, ReplayOutputs outputs)
    {
        bool observe = outputs.Drops is not null || (outputs.TraceCount > 0 && outputs.Trace is not null);
        var observer = observe ? new PipelineObserver(PacketEmitter.DefaultCapacity) : null;
        var pipeline = observer is null ? plane.CreateWorker() : plane.CreateWorker(observer.Wrap);
        int bufferCount = (2 * PacketBatch.MaxCapacity) + pipeline.Punts.Capacity + pipeline.Emitter.Capacity;
        using var pool = new PacketPool(bufferCount, FrameCapacity, Headroom);
        if (!CaptureReader.TryOpen(input, pool, out var reader, out var openError, leaveOpen: true))
        {
            return new ReplayResult(plane.Counters(), TimeSpan.Zero, openError) { Ports = Traffic(new long[plane.Ports.Count], new long[plane.Ports.Count]) };
        }

        using (reader)
        {
            reader.IngressPort = IngressPort;
            if (PortsFromInterfaceNames && reader is PcapNgReader named)
            {
                named.PortsByInterfaceName = plane.Ports.All.ToDictionary(p => p.Name, p => p.Id, StringComparer.Ordinal);
            }

            // Replicas come from the same pool and are written and freed like the packets read.
            pipeline.Emitter.UseSources([], new PacketPoolBufferSource(pool, IngressPort));
            return new ReplayRun(this, reader, pool, pipeline, outputs, observer).Replay();
        }
    }

    private IReadOnlyList<PortTraffic> Traffic(long[] received, long[] transmitted) =>
        plane.Ports.All.Select(p => new PortTraffic(p.Name, received[p.Id], transmitted[p.Id])).ToArray();

    /// <summary>One replay's state: the reader, the worker, the writers and the per-port tallies.</summary>
    private sealed class ReplayRun(PcapReplay replay, CaptureReader reader, PacketPool pool, ForwardingPipeline pipeline, ReplayOutputs outputs, PipelineObserver? observer)
    {
        private readonly long[] received = new long[replay.plane.Ports.Count];
        private readonly long[] transmitted = new long[replay.plane.Ports.Count];
        private readonly byte[] comment = new byte[PcapNgWriter.MaxCommentLength];
        private long packetsRead;

        public ReplayResult Replay()
        {
            var batch = new PacketBatch();
            var stopwatch = Stopwatch.StartNew();
            var nextProgress = replay.ProgressInterval;
            CaptureReadResult result;
            do
            {
                batch.Clear();
                bool trace = packetsRead < outputs.TraceCount && outputs.Trace is not null;
                result = trace ? ReadOne(batch) : reader.ReadBatch(batch);
                if (batch.Count == 0)
                {
                    continue;
                }

                Process(batch, trace);
                DrainPunts();
                replay.plane.ReclaimRetired();
                if (replay.Progress is not null && stopwatch.Elapsed >= nextProgress)
                {
                    replay.Progress(packetsRead, reader.Offset);
                    nextProgress = stopwatch.Elapsed + replay.ProgressInterval;
                }
            }
            while (result == CaptureReadResult.Packet);

            DrainPunts();
            outputs.Transmitted.Flush();
            outputs.Punted?.Flush();
            outputs.Drops?.Flush();
            var error = result == CaptureReadResult.Error ? reader.Error : null;
            return new ReplayResult(replay.plane.Counters(), stopwatch.Elapsed, error) { Ports = replay.Traffic(received, transmitted) };
        }

        private CaptureReadResult ReadOne(PacketBatch batch)
        {
            var packet = default(PacketDescriptor);
            var result = reader.TryRead(ref packet);
            if (result == CaptureReadResult.Packet)
            {
                batch.TryAdd(packet);
            }

            return result;
        }

        private void Process(PacketBatch batch, bool trace)
        {
            long firstNumber = packetsRead + 1;
            var packets = batch.AsSpan();
            foreach (ref var packet in packets)
            {
                if (packet.IngressPort < received.Length)
                {
                    received[packet.IngressPort]++;
                }
            }

            packetsRead += packets.Length;
            replay.clock?.AdvanceTo(packets[0].Timestamp);
            byte[]? input = trace ? packets[0].Data.ToArray() : null;
            var inputFormat = packets[0].Format;
            observer?.BeginBatch(trace);
            pipeline.Process(batch);
            if (trace)
            {
                outputs.Trace!(observer!.Trace(firstNumber, input!, inputFormat, packets[0]));
            }

            WriteAndFree(packets, firstNumber, emitted: false);
            WriteAndFree(pipeline.Emitter.Packets, 0, emitted: true);
            pipeline.Emitter.Clear();
        }

        /// <summary>Writes the transmitted packets, in order, and the dropped ones when asked; frees both.</summary>
        private void WriteAndFree(Span<PacketDescriptor> packets, long firstNumber, bool emitted)
        {
            var drops = outputs.Drops;
            for (int i = 0; i < packets.Length; i++)
            {
                ref var packet = ref packets[i];
                if (packet.IsDropped)
                {
                    if (drops is not null)
                    {
                        WriteDrop(drops, ref packet, i, emitted ? 0 : firstNumber + i, emitted);
                    }

                    pool.Free(ref packet);
                }
                else if (packet.Disposition == PacketDisposition.Transmit)
                {
                    if (packet.EgressPort < transmitted.Length)
                    {
                        transmitted[packet.EgressPort]++;
                    }

                    outputs.Transmitted.Write(packet, packet.EgressPort);
                    pool.Free(ref packet);
                }

                // Punted packets now belong to the punt queue, drained below.
            }
        }

        /// <summary>
        /// A dropped packet as the stage left it, on its ingress port, with a comment a script can split on spaces:
        /// <c>reason=MalformedIpv4 stage=classify packet=7</c> (packet: its place in the input; absent for packets a
        /// stage added).
        /// </summary>
        private void WriteDrop(IReplayCaptureWriter drops, ref PacketDescriptor packet, int index, long number, bool emitted)
        {
            var reason = (Forwarding.Counters.DropReason)packet.DropReason;
            string stage = emitted ? observer!.EmittedBy(index) : observer!.DroppedBy(index, packet);
            string text = number > 0 ? $"reason={reason} stage={stage} packet={number}" : $"reason={reason} stage={stage} emitted";
            int length = Encoding.UTF8.GetBytes(text, comment);
            if (packet.Length > 0 && (packet.Flags & PacketFlags.Decapsulated) != 0 && packet.L3Offset == packet.DataOffset)
            {
                WritePlaceholderEthernet(ref packet);
            }

            drops.Write(packet, packet.IngressPort, comment.AsSpan(0, length));
        }

        /// <summary>
        /// The replay's control plane: it records punted packets (when asked) and frees them. A packet punted after a
        /// decapsulation starts at its IP header; it is written behind an all-zero placeholder Ethernet header (in its
        /// headroom, no copy) so the punt capture keeps one link type that tcpdump and Wireshark read.
        /// </summary>
        private void DrainPunts()
        {
            var punts = outputs.Punted;
            while (pipeline.Punts.TryDequeue(out var packet))
            {
                if (punts is not null)
                {
                    if ((packet.Flags & PacketFlags.Decapsulated) != 0 && packet.L3Offset == packet.DataOffset)
                    {
                        WritePlaceholderEthernet(ref packet);
                    }

                    punts.Write(packet, packet.IngressPort);
                }

                pool.Free(ref packet);
            }
        }

        private static void WritePlaceholderEthernet(ref PacketDescriptor packet)
        {
            ushort etherType = (packet.Data[0] >> 4) == 6 ? EtherType.Ipv6 : EtherType.Ipv4;
            if (packet.TryPrepend(EthernetHeader.Length, out var header))
            {
                header[..12].Clear();
                BinaryPrimitives.WriteUInt16BigEndian(header[12..], etherType);
            }
        }
    }
}
