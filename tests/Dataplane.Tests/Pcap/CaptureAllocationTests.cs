using Dataplane.Forwarding.Buffers;
using Dataplane.Ports.Pcap;

namespace Dataplane.Tests.Pcap;

/// <summary>Reading and writing captures allocate nothing per packet: the total does not grow with the file.</summary>
/// <remarks>
/// <c>GC.GetAllocatedBytesForCurrentThread</c> occasionally moves by a few KiB (0-8 KiB seen)
/// on a thread whose code allocates nothing, mostly when a collection lands inside the
/// measurement: runtime bookkeeping, not ours. That noise does not depend on the packet count; a real per-packet allocation
/// (24 bytes at least) would be 2.4 MB over 100k packets, in every run. So each figure is the
/// smallest of a few runs over the same file.
/// </remarks>
public class CaptureAllocationTests(ITestOutputHelper output)
{
    private const int WarmUpPackets = 100;
    private const int Runs = 3;

    [Theory]
    [InlineData(CaptureFormat.Pcap)]
    [InlineData(CaptureFormat.PcapNg)]
    public void Reading_allocates_the_same_few_bytes_for_10k_and_100k_packets(CaptureFormat format)
    {
        var small = MeasureRead(format, 10_000, batched: false);
        var large = MeasureRead(format, 100_000, batched: false);
        var smallBatched = MeasureRead(format, 10_000, batched: true);
        var largeBatched = MeasureRead(format, 100_000, batched: true);
        output.WriteLine($"{format}: one by one 10k packets {small} B, 100k packets {large} B; by batch 10k {smallBatched} B, 100k {largeBatched} B");

        Assert.True(large < 4096, $"100k packets allocated {large} bytes");
        Assert.True(largeBatched < 4096, $"100k packets by batch allocated {largeBatched} bytes");
        Assert.True(large <= small + 512, $"allocation grows with packet count: {small} B for 10k, {large} B for 100k");
        Assert.True(largeBatched <= smallBatched + 512, $"allocation grows with packet count: {smallBatched} B for 10k, {largeBatched} B for 100k by batch");
    }

    [Fact]
    public void Writing_allocates_nothing_per_packet()
    {
        using var file = new TempFile(".pcapng");
        using var pcapNg = new PcapNgWriter(file.Path);
        using var pcap = new PcapWriter(Stream.Null);
        var frame = SpecBytes.Frame(128, 0);
        pcapNg.Write(frame, 1);
        pcap.Write(frame, 1);

        var smallest = long.MaxValue;
        for (var run = 0; run < Runs; run++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100_000; i++)
            {
                pcapNg.Write(frame, i);
                pcap.Write(frame, i);
            }
            smallest = Math.Min(smallest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        output.WriteLine($"writing 100k packets to each format: {smallest} B");
        Assert.True(smallest < 1024, $"writing allocated {smallest} bytes");
    }

    /// <summary>Writes a capture of <paramref name="packets"/> frames and returns the fewest bytes a full read allocated after its warm-up.</summary>
    private long MeasureRead(CaptureFormat format, int packets, bool batched)
    {
        using var file = new TempFile(format == CaptureFormat.Pcap ? ".pcap" : ".pcapng");
        WriteCapture(file.Path, format, packets);
        using var pool = new PacketPool(PacketBatch.MaxCapacity);
        var batch = new PacketBatch();
        var smallest = long.MaxValue;
        for (var run = 0; run < Runs; run++)
        {
            var allocated = ReadAll(file.Path, pool, batch, packets, batched);
            if (allocated > 0)
            {
                output.WriteLine($"  {format} {packets} packets, batched {batched}: one run saw {allocated} B");
            }
            smallest = Math.Min(smallest, allocated);
        }
        return smallest;
    }

    private static long ReadAll(string path, PacketPool pool, PacketBatch batch, int packets, bool batched)
    {
        using var reader = CaptureReader.Open(path, pool);
        var packet = default(PacketDescriptor);
        var read = 0;
        long checksum = 0;
        for (; read < WarmUpPackets; read++)
        {
            Assert.Equal(CaptureReadResult.Packet, reader.TryRead(ref packet));
            pool.Free(ref packet);
        }
        if (batched)
        {
            // Warm the batch path as well: its first call pays for JIT and type loading.
            Assert.Equal(CaptureReadResult.Packet, reader.ReadBatch(batch));
            read += batch.Count;
            pool.Free(batch);
        }

        var result = CaptureReadResult.Packet;
        var before = GC.GetAllocatedBytesForCurrentThread();
        if (batched)
        {
            do
            {
                result = reader.ReadBatch(batch);
                read += batch.Count;
                foreach (ref var p in batch.AsSpan())
                {
                    checksum += p.Data[0];
                }
                pool.Free(batch);
            }
            while (result == CaptureReadResult.Packet);
        }
        else
        {
            while ((result = reader.TryRead(ref packet)) == CaptureReadResult.Packet)
            {
                checksum += packet.Data[0];
                pool.Free(ref packet);
                read++;
            }
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Asserts only after the measurement: xunit's Assert.Equal allocates.
        Assert.Equal(CaptureReadResult.EndOfFile, result);
        Assert.Null(reader.Error);
        Assert.Equal(packets, read);
        Assert.NotEqual(0, checksum);
        Assert.Equal(pool.BufferCount, pool.Available);
        return allocated;
    }

    private static void WriteCapture(string path, CaptureFormat format, int packets)
    {
        var frames = new[] { SpecBytes.Frame(64, 1), SpecBytes.Frame(1514, 2), SpecBytes.Frame(578, 3) };
        if (format == CaptureFormat.Pcap)
        {
            using var writer = new PcapWriter(path, precision: PcapTimestampPrecision.Nanoseconds);
            for (var i = 0; i < packets; i++)
            {
                writer.Write(frames[i % 3], 1_700_000_000_000_000_000L + i);
            }
        }
        else
        {
            using var writer = new PcapNgWriter(path);
            writer.AddInterface(CaptureLinkType.Ethernet, "eth0");
            writer.AddInterface(CaptureLinkType.Raw, "tun0");
            for (var i = 0; i < packets; i++)
            {
                writer.Write(i & 1, frames[i % 3], 1_700_000_000_000_000_000L + i);
            }
        }
    }
}
