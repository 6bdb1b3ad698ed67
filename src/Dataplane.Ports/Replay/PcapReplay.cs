using System.Buffers.Binary;
using System.Diagnostics;
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

    /// <summary>Port number the input packets arrive on.</summary>
    public ushort IngressPort { get; init; }

    /// <summary>Called about every <see cref="ProgressInterval"/> with the packets read so far and the input bytes consumed.</summary>
    public Action<long, long>? Progress { get; init; }

    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    public ReplayResult Run(Stream input, PcapWriter output, PcapWriter? punts)
    {
        var pipeline = plane.CreateWorker();
        int bufferCount = (2 * PacketBatch.MaxCapacity) + pipeline.Punts.Capacity + pipeline.Emitter.Capacity;
        using var pool = new PacketPool(bufferCount, FrameCapacity, Headroom);
        if (!CaptureReader.TryOpen(input, pool, out var reader, out var openError, leaveOpen: true))
        {
            return new ReplayResult(plane.Counters(), TimeSpan.Zero, openError);
        }

        using (reader)
        {
            reader.IngressPort = IngressPort;
            // Replicas come from the same pool and are written and freed like the packets read.
            pipeline.Emitter.UseSources([], new PacketPoolBufferSource(pool, IngressPort));
            return Replay(reader, pool, pipeline, output, punts);
        }
    }

    private ReplayResult Replay(CaptureReader reader, PacketPool pool, ForwardingPipeline pipeline, PcapWriter output, PcapWriter? punts)
    {
        var batch = new PacketBatch();
        var stopwatch = Stopwatch.StartNew();
        var nextProgress = ProgressInterval;
        long packetsRead = 0;
        CaptureReadResult result;
        do
        {
            batch.Clear();
            result = reader.ReadBatch(batch);
            if (batch.Count == 0)
            {
                continue;
            }

            packetsRead += batch.Count;
            clock?.AdvanceTo(batch[0].Timestamp);
            pipeline.Process(batch);
            Write(batch.AsSpan(), pool, output);
            Write(pipeline.Emitter.Packets, pool, output);
            pipeline.Emitter.Clear();

            DrainPunts(pipeline.Punts, pool, punts);
            plane.ReclaimRetired();
            if (Progress is not null && stopwatch.Elapsed >= nextProgress)
            {
                Progress(packetsRead, reader.Offset);
                nextProgress = stopwatch.Elapsed + ProgressInterval;
            }
        }
        while (result == CaptureReadResult.Packet);

        DrainPunts(pipeline.Punts, pool, punts);
        output.Flush();
        punts?.Flush();
        return new ReplayResult(plane.Counters(), stopwatch.Elapsed, result == CaptureReadResult.Error ? reader.Error : null);
    }

    /// <summary>Writes the transmitted packets, in order, and frees them and the dropped ones.</summary>
    private static void Write(Span<PacketDescriptor> packets, PacketPool pool, PcapWriter output)
    {
        foreach (ref var packet in packets)
        {
            if (packet.IsDropped)
            {
                pool.Free(ref packet);
            }
            else if (packet.Disposition == PacketDisposition.Transmit)
            {
                output.Write(packet);
                pool.Free(ref packet);
            }

            // Punted packets now belong to the punt queue, drained below.
        }
    }

    /// <summary>
    /// The replay's control plane: it records punted packets (when asked) and frees them. A packet punted after a
    /// decapsulation starts at its IP header; it is written behind an all-zero placeholder Ethernet header (in its
    /// headroom, no copy) so the punt capture keeps one link type that tcpdump and Wireshark read.
    /// </summary>
    private static void DrainPunts(PuntQueue queue, PacketPool pool, PcapWriter? punts)
    {
        while (queue.TryDequeue(out var packet))
        {
            if (punts is not null)
            {
                if ((packet.Flags & PacketFlags.Decapsulated) != 0 && packet.L3Offset == packet.DataOffset)
                {
                    WritePlaceholderEthernet(ref packet);
                }

                punts.Write(packet);
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
