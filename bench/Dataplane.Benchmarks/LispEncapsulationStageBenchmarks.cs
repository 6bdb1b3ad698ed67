using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Lisp;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.MapCache;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;

namespace Dataplane.Benchmarks;

/// <summary>
/// The full pipeline (<see cref="ForwardingPipeline.Process"/>: classify, LISP encapsulation stage, routing stage,
/// settle) over a batch of 256 64-byte frames (86-byte for IPv6 inner) (Ethernet / IPv4 / UDP, 18-byte payload) from a local EID to random
/// destinations covered by a map-cache of 1K or 1M /24 (/64) EID prefixes, each with one RLOC; reported per packet. Each
/// invocation first restores the 256 frames (offset reset + 60-byte copy, included in the figure).
/// </summary>
[MemoryDiagnoser]
public class LispEncapsulationStageBenchmarks
{
    private const int BatchSize = PacketBatch.MaxCapacity;

    private readonly PacketBatch batch = new();
    private byte[][] frames = [];
    private PacketPool pool = null!;
    private ForwardingPipeline worker = null!;

    /// <summary>Map-cache size: 1K fits the caches (the stage's own cost), 1M does not (every lookup misses to DRAM).</summary>
    [Params(1 << 10, 1 << 20)]
    public int Prefixes { get; set; } = 1 << 20;

    [Params("v4-over-v4", "v6-over-v4")]
    public string Mode { get; set; } = "v4-over-v4";

    [GlobalSetup]
    public void Setup()
    {
        var config = new DataplaneConfig
        {
            Roles = ["itr"],
            Ports =
            [
                new PortConfig { Name = "eid-side", Mac = "02:00:00:00:00:01", InstanceId = 7 },
                new PortConfig { Name = "rloc-side", Mac = "02:00:00:00:00:02", Addresses = ["192.0.2.1"] },
            ],
            Neighbours = [new NeighbourConfig { Address = "192.0.2.254", Mac = "02:00:00:00:ff:01", Port = "rloc-side" }],
            Routes = [new RouteConfig { Prefix = "0.0.0.0/0", NextHop = "192.0.2.254", Port = "rloc-side" }],
            Lisp = new LispConfig
            {
                LocalRlocs = [new LocatorConfig { Address = "192.0.2.1" }],
                LocalEids = ["[7]10.1.0.0/24", "[7]2001:db8:1::/64"],
            },
        };
        var plane = ForwardingPlaneBuilder.Build(config, new ForwardingPlaneOptions { NonceSeed = 1 });
        var mapCache = plane.Feature<LispEncapsulationFeature>()!.Tables.MapCache;
        var clock = new ManualClock();
        var random = new Random(42);
        bool v6 = Mode == "v6-over-v4";
        for (int i = 0; i < Prefixes; i++)
        {
            // 11.0.0.0/24 ... 26.255.255.0/24, or 2001:db8:2:0::/64 ... 2001:db8:2:f:ffff::/64-style /64s.
            EidPrefix prefix = v6
                ? EidPrefix.Create(7, new Ipv6Address(0x2001_0db8_0002_0000UL | (uint)i, 0), 64)
                : EidPrefix.Create(7, new Ipv4Address(0x0B00_0000u + ((uint)i << 8)), 24);
            var rloc = new Locator(new Ipv4Address(0xC633_6400u + (uint)(i % 250) + 1), 1, 100);
            mapCache.AddOrReplace(MapCacheEntry.Create(prefix, [rloc], MapCacheEntry.InfiniteTtl, clock));
        }

        worker = plane.CreateWorker();
        pool = new PacketPool(BatchSize);
        frames = new byte[BatchSize][];
        for (int i = 0; i < BatchSize; i++)
        {
            int target = random.Next(Prefixes);
            frames[i] = v6 ? Ipv6Frame((ulong)target) : Ipv4Frame(0x0B00_0000u + ((uint)target << 8) + 1);
            var packet = default(PacketDescriptor);
            pool.TryAllocate(ref packet);
            batch.TryAdd(packet);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var counters = worker.Counters;
        if (counters.TotalDropped != 0 || counters.Punted != 0)
        {
            throw new InvalidOperationException($"{counters.TotalDropped} dropped, {counters.Punted} punted: the figure measured another path");
        }

        pool.Free(batch);
        pool.Dispose();
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public void ProcessBatch()
    {
        var packets = batch.AsSpan();
        for (int i = 0; i < packets.Length; i++)
        {
            ref var packet = ref packets[i];
            byte[] frame = frames[i];
            int delta = pool.Headroom - packet.DataOffset; // undo the encapsulation's prepend
            if (delta > 0)
            {
                packet.TryAdjust(delta);
            }
            else if (delta < 0)
            {
                packet.TryPrepend(-delta, out _);
            }

            packet.TrySetLength(frame.Length);
            frame.CopyTo(packet.Data);
        }

        worker.Process(batch);
    }

    private static byte[] Ipv4Frame(uint destination)
    {
        // Ethernet / IPv4 / UDP with an 18-byte payload: 60 bytes, a 64-byte frame on the wire with the FCS.
        byte[] frame = new byte[14 + 20 + 8 + 18];
        Convert.FromHexString("020000000001020000000010" + "0800").CopyTo(frame, 0);
        var ip = frame.AsSpan(14);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], 46);
        ip[8] = 64;
        ip[9] = 17;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], 0x0A01_000A); // 10.1.0.10, a local EID
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], destination);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip[..20]));
        BinaryPrimitives.WriteUInt16BigEndian(ip[20..], 5000);
        BinaryPrimitives.WriteUInt16BigEndian(ip[22..], 5001);
        BinaryPrimitives.WriteUInt16BigEndian(ip[24..], 26);
        return frame;
    }

    private static byte[] Ipv6Frame(ulong target)
    {
        // Ethernet / IPv6 / UDP, 86 bytes (the smallest IPv6/UDP frame with an 18-byte payload).
        byte[] frame = new byte[14 + 40 + 8 + 18];
        Convert.FromHexString("02000000000102000000001086dd").CopyTo(frame, 0);
        frame[14] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14 + 4), 26);
        frame[14 + 6] = 17;
        frame[14 + 7] = 64;
        new Ipv6Address(0x2001_0db8_0001_0000UL, 0x10).Write(frame.AsSpan(14 + 8));
        new Ipv6Address(0x2001_0db8_0002_0000UL | target, 1).Write(frame.AsSpan(14 + 24));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(54), 5000);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(56), 5001);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(58), 26);
        return frame;
    }
}
