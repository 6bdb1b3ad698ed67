using BenchmarkDotNet.Attributes;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Stages;
using Dataplane.Forwarding.Lisp;
using Dataplane.Wire.Addresses;

namespace Dataplane.Benchmarks;

/// <summary>
/// Classify + LISP-over-IPv4 header write for a batch of 256 frames with a 64-byte inner IPv4/UDP packet;
/// reported per packet. After each batch the outer headers are stripped back off (an adjust and an EtherType write per packet,
/// included in the figure) so every invocation encapsulates the same inner packets.
/// </summary>
[MemoryDiagnoser]
public class LispEncapsulationBenchmarks
{
    private const int BatchSize = PacketBatch.MaxCapacity;
    private static readonly LispEncapsulation Encapsulation = new(
        MacAddress.Parse("02:00:00:00:aa:01"), MacAddress.Parse("02:00:00:00:bb:01"),
        Ipv4Address.Parse("192.0.2.1"), Ipv4Address.Parse("198.51.100.7"), 7, 0xABCDEF, 61001, true);

    private readonly PacketBatch _batch = new();
    private readonly WorkerCounters _counters = new();
    private PacketPool _pool = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pool = new PacketPool(BatchSize);
        byte[] frame = Convert.FromHexString(
            "02000000000b02000000000a0800" +
            "450000400007000040110000" + "0a0100010a020001" +
            "13881389002c0000" + new string('0', 72));
        for (int i = 0; i < BatchSize; i++)
        {
            var packet = default(PacketDescriptor);
            _pool.TryAllocate(ref packet);
            packet.TrySetLength(frame.Length);
            frame.CopyTo(packet.Data);
            _batch.TryAdd(packet);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Every packet must have been classified as native IPv4 and none dropped, or the figure measured a drop path.
        if (_counters.TotalDropped != 0)
        {
            throw new InvalidOperationException($"{_counters.TotalDropped} packets were dropped during the benchmark");
        }


        _pool.Free(_batch);
        _pool.Dispose();
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public void ClassifyAndEncapsulate()
    {
        ClassifyStage.Run(_batch, _counters);
        var packets = _batch.AsSpan();
        for (int i = 0; i < packets.Length; i++)
        {
            LispEncapsulator.TryEncapsulateOverIpv4(ref packets[i], Encapsulation);
        }

        for (int i = 0; i < packets.Length; i++)
        {
            packets[i].TryAdjust(LispEncapsulator.OuterIpv4Overhead - 14);
            packets[i].Data[12] = 0x08; // the stripped-back "Ethernet" header is LISP bytes: restore EtherType IPv4
            packets[i].Data[13] = 0x00;
        }
    }
}
