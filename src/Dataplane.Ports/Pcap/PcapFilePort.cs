using Dataplane.Forwarding.Buffers;
using Dataplane.Runtime.Ports;

namespace Dataplane.Ports.Pcap;

/// <summary>
/// A port made of two capture files: it receives the packets of one (queue 0 only; a file has one order) and writes
/// what it transmits to the other. For `dataplane run` demos and tests without root or NICs. It copies (a file is not
/// a NIC), so transmitted buffers go back to their owner at once.
/// </summary>
public sealed class PcapFilePort : IPacketPort, IBufferPoolOwner
{
    private readonly SharedPacketPool pool;
    private readonly CaptureReader? reader;
    private readonly PcapWriter? writer;
    private readonly Lock writeLock = new();
    private long received, receivedBytes, transmitted, transmittedBytes;
    private bool endOfInput;

    public PcapFilePort(ushort id, string name, string? rxPath, string? txPath, int queueCount = 1)
    {
        Id = id;
        Name = name;
        QueueCount = queueCount;
        pool = new SharedPacketPool(4096, 9216, 256);
        if (rxPath is not null)
        {
            if (!CaptureReader.TryOpen(rxPath, pool.Pool, out reader, out var error))
            {
                pool.Dispose();
                throw new IOException($"port {name}: cannot read {rxPath}: {error}");
            }

            reader.IngressPort = id;
        }

        writer = txPath is null ? null : new PcapWriter(txPath, CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds);
    }

    public ushort Id { get; }

    public string Name { get; }

    /// <summary>The buffers received frames are copied into.</summary>
    public IReadOnlyList<BufferPoolUse> BufferPools => [new(Name, pool.InUse, pool.Capacity)];

    public int QueueCount { get; }

    /// <summary>True once the input capture is read to its end (or it stopped at a bad record).</summary>
    public bool InputExhausted => reader is null || Volatile.Read(ref endOfInput);

    /// <summary>Why the input stopped early, if it did.</summary>
    public CaptureError? InputError => reader?.Error;

    public PortStatistics Statistics => new(Volatile.Read(ref received), Volatile.Read(ref receivedBytes), Volatile.Read(ref transmitted), Volatile.Read(ref transmittedBytes), 0, 0);

    public int Receive(int queue, PacketBatch batch)
    {
        if (queue != 0 || reader is null || endOfInput)
        {
            return 0;
        }

        int before = batch.Count;
        CaptureReadResult result;
        // Other workers free buffers of this port when they transmit its packets: the reader allocates under the pool's lock.
        result = pool.Use((reader, batch), static s => s.reader.ReadBatch(s.batch));

        if (result is CaptureReadResult.EndOfFile or CaptureReadResult.Error)
        {
            Volatile.Write(ref endOfInput, true);
        }

        int got = batch.Count - before;
        var packets = batch.AsSpan()[before..];
        long bytes = 0;
        foreach (ref var packet in packets)
        {
            bytes += packet.Length;
        }

        received += got;
        receivedBytes += bytes;
        return got;
    }

    public int Transmit(int queue, Span<PacketDescriptor> packets, PortSet owners)
    {
        lock (writeLock)
        {
            foreach (ref var packet in packets)
            {
                if (writer is not null)
                {
                    writer.Write(packet);
                    transmittedBytes += packet.Length;
                }

                transmitted++;
                owners.Free(ref packet);
            }
        }

        return packets.Length;
    }

    public void Free(ref PacketDescriptor packet) => pool.Free(ref packet);

    public void Dispose()
    {
        reader?.Dispose();
        writer?.Dispose();
        pool.Dispose();
    }
}
