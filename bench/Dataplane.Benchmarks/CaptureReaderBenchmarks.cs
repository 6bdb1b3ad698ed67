using BenchmarkDotNet.Attributes;
using Dataplane.Forwarding.Buffers;
using Dataplane.Ports.Pcap;

namespace Dataplane.Benchmarks;

/// <summary>
/// The capture-file readers (<see cref="PcapReader"/>, <see cref="PcapNgReader"/>, as <c>dataplane replay</c> and the
/// capture-file port use them), per packet: each invocation opens a reader over an in-memory capture of 10,000
/// frames (64-byte Ethernet/IPv4/UDP, sizes cycling 60..187 bytes so the copies differ) written in setup by our own
/// <see cref="PcapWriter"/> / <see cref="PcapNgWriter"/>, and reads them all in batches of 256 into pool buffers,
/// freeing each batch back to the pool. Opening the reader (one per 10,000 packets) is in the figure and is what
/// allocates. Setup throws unless all 10,000 packets come back with the lengths written. Compare with line rate:
/// 14.88 Mpps (67 ns per packet) is what a replay would need to saturate one 10GbE port.
/// </summary>
[MemoryDiagnoser]
public class CaptureReaderBenchmarks
{
    private const int Packets = 10_000;
    private readonly PacketBatch _batch = new();
    private byte[] _capture = [];
    private PacketPool _pool = null!;
    private long _expectedBytes;

    [Params("pcap", "pcapng")]
    public string Format { get; set; } = "pcap";

    [GlobalSetup]
    public void Setup()
    {
        _pool = new PacketPool(PacketBatch.MaxCapacity);
        byte[] template = Convert.FromHexString("02000000000b02000000000a08004500002e00010000401166ba0a0100010a02000113881389001ac4a4");
        var frame = new byte[187];
        template.CopyTo(frame, 0);
        using var stream = new MemoryStream();
        if (Format == "pcap")
        {
            using var writer = new PcapWriter(stream, leaveOpen: true);
            for (int i = 0; i < Packets; i++)
            {
                writer.Write(frame.AsSpan(0, Size(i)), 1_000_000_000L + (i * 1000L));
                _expectedBytes += Size(i);
            }
        }
        else
        {
            using var writer = new PcapNgWriter(stream, leaveOpen: true);
            for (int i = 0; i < Packets; i++)
            {
                writer.Write(frame.AsSpan(0, Size(i)), 1_000_000_000L + (i * 1000L));
                _expectedBytes += Size(i);
            }
        }

        _capture = stream.ToArray();
        long bytes = ReadAll();
        if (bytes != _expectedBytes)
        {
            throw new InvalidOperationException($"read {bytes} bytes of frames, wrote {_expectedBytes}: the reader stopped early or mangled lengths");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    [Benchmark(OperationsPerInvoke = Packets)]
    public long ReadAll()
    {
        long bytes = 0;
        using var stream = new MemoryStream(_capture, writable: false);
        if (!CaptureReader.TryOpen(stream, _pool, out var reader, out var error))
        {
            throw new InvalidOperationException(error.ToString());
        }

        using (reader)
        {
            CaptureReadResult result;
            do
            {
                result = reader.ReadBatch(_batch);
                foreach (ref var packet in _batch.AsSpan())
                {
                    bytes += packet.Length;
                }

                _pool.Free(_batch);
                _batch.Clear();
            }
            while (result == CaptureReadResult.Packet);
        }

        return bytes;
    }

    private static int Size(int i) => 60 + (i % 128);
}
