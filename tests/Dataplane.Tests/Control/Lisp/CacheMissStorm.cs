using System.Buffers.Binary;
using Dataplane.Control.Lisp;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Runtime.Workers;
using Dataplane.Tables.Time;
using Dataplane.Tests.Lisp;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;
using Dataplane.Wire.LispControl;

namespace Dataplane.Tests.Control.Lisp;

/// <summary>
/// An ITR (the golden itr-v4-over-v4 configuration plus a map-resolver) driven the way <see cref="DataplaneRuntime"/>
/// drives it, on a simulated millisecond clock: per 10 ms round the worker pipeline processes batches of 32 frames,
/// then the control round drains the punt queue into the real <see cref="LispControlPlane"/> and ticks it, and what the
/// control plane injected (the real <see cref="InjectionPort"/>) goes through the pipeline and out of the underlay
/// port, where every frame is decoded with the wire parsers (Ethernet / IPv4 / UDP 4342 / ECM / Map-Request).
/// Storm frames go from the site host 10.1.0.10 to 11.0.0.0 + i (no map-cache entry covers 11/8); legitimate frames go
/// to 10.2.0.1, mapped to 198.51.100.1/.2 by the static map-cache.
/// </summary>
internal sealed class CacheMissStorm : IDisposable
{
    public const int RoundMilliseconds = 10;
    public const int BatchSize = 32;
    public const int BatchesPerStormRound = 64; // 64 x 31 storm frames per 10 ms: about 200,000 misses a second
    private const string Resolver = "192.0.2.100";
    private const uint FirstStormDestination = 11u << 24;
    private const int UnderlayPort = 1;

    private readonly ManualClock clock = new(1000);
    private readonly ForwardingPlane plane;
    private readonly ForwardingPipeline worker;
    private readonly LispControlPlane control;
    private readonly InjectionPort injection;
    private readonly PacketPool pool = new(bufferCount: 4096);
    private readonly PacketBatch batch = new(BatchSize);
    private readonly byte[] stormTemplate = LispTestFrames.Ipv4Udp("10.1.0.10", "11.0.0.0");
    private readonly byte[] legitimateFrame = LispTestFrames.Ipv4Udp("10.1.0.10", "10.2.0.1");

    public CacheMissStorm(int globalPerSecond = 100, int pendingLimit = 256)
    {
        var golden = LispTestFrames.GoldenConfig();
        var config = golden with
        {
            Lisp = golden.Lisp! with
            {
                MapResolvers = [Resolver],
                MapRequests = new MapRequestConfig { GlobalPerSecond = globalPerSecond, PendingLimit = pendingLimit },
            },
        };
        clock.AdvanceTicks(1_000_000);
        plane = ForwardingPlaneBuilder.Build(config, new ForwardingPlaneOptions { Clock = clock, NonceSeed = 1 });
        worker = plane.CreateWorker();
        injection = new InjectionPort((ushort)plane.Ports.Count, queues: 1);
        control = LispControlPlane.Create(plane, packet => injection.TryInject(packet), () => clock.Now)
            ?? throw new InvalidOperationException("the ITR configuration has no LISP control plane");
        Settings = config.Lisp.MapRequests;
        PuntQueueCapacity = worker.Punts.Capacity;
    }

    public MapRequestConfig Settings { get; }

    public int PuntQueueCapacity { get; }

    public StormResult Run(int stormPackets, long quietTailMilliseconds)
    {
        var result = new StormResult();

        // A warm-up round (one legitimate batch) so the heap measurement starts from steady state, not first use.
        Round(ref result, stormLeft: 0, batches: 1);
        result = new StormResult();
        long retainedBefore = RetainedBytes();
        long start = clock.Now;

        int stormLeft = stormPackets;
        while (stormLeft > 0)
        {
            stormLeft = Round(ref result, stormLeft, BatchesPerStormRound);
        }

        result.StormEndedAt = clock.Now;
        result.StormMilliseconds = clock.Now - start;
        long quietEnd = clock.Now + quietTailMilliseconds;
        while (clock.Now < quietEnd)
        {
            Round(ref result, stormLeft: 0, batches: 1);
        }

        result.TotalMilliseconds = clock.Now - start;
        result.PendingAtEnd = control.Resolver!.PendingCount;
        result.Forwarding = plane.Counters();
        result.Lisp = control.Counters;
        result.RetainedBytesGrowth = RetainedBytes() - retainedBefore;
        return result;
    }

    /// <summary>One 10 ms round: the worker's batches, then the control thread's round, then the injected packets out.</summary>
    private int Round(ref StormResult result, int stormLeft, int batches)
    {
        for (int b = 0; b < batches; b++)
        {
            batch.Clear();
            AddFrame(legitimateFrame, 0);
            result.LegitimateSent++;
            while (stormLeft > 0 && batch.Count < BatchSize)
            {
                AddFrame(stormTemplate, FirstStormDestination + (uint)stormLeft);
                stormLeft--;
            }

            worker.Process(batch);
            Settle(ref result);
            result.MaxPuntQueue = Math.Max(result.MaxPuntQueue, worker.Punts.Count);
        }

        // The control thread: DrainPunts, then TickServices (DataplaneRuntime.ControlLoop).
        while (worker.Punts.TryDequeue(out var punted))
        {
            if (IsStorm(punted))
            {
                result.StormPunted++;
            }

            control.OnPunt(punted);
            pool.Free(ref punted);
            result.MaxPending = Math.Max(result.MaxPending, control.Resolver!.PendingCount);
        }

        control.OnTick(clock.Now);
        result.MaxPending = Math.Max(result.MaxPending, control.Resolver!.PendingCount);
        result.MaxRememberedAsks = Math.Max(result.MaxRememberedAsks, control.Resolver.RememberedAskCount);

        // A worker polls the injection port like any other.
        batch.Clear();
        while (injection.Receive(0, batch) > 0)
        {
            worker.Process(batch);
            Settle(ref result);
            batch.Clear();
        }

        clock.AdvanceTicks(RoundMilliseconds);
        return stormLeft;
    }

    private void AddFrame(byte[] template, uint destination)
    {
        var packet = default(PacketDescriptor);
        if (!pool.TryAllocate(ref packet) || !packet.TrySetLength(template.Length))
        {
            throw new InvalidOperationException("the storm's pool ran dry: a buffer leaked");
        }

        var data = packet.Data;
        template.CopyTo(data);
        if (destination != 0)
        {
            var ip = data[14..];
            BinaryPrimitives.WriteUInt32BigEndian(ip[16..], destination);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], 0);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip[..20]));
        }

        batch.TryAdd(packet);
    }

    /// <summary>The worker's Dispatch: transmitted frames are read (as the wire would) and freed, dropped ones freed.</summary>
    private void Settle(ref StormResult result)
    {
        foreach (ref var packet in batch.AsSpan())
        {
            if (!packet.IsDropped && packet.Disposition == PacketDisposition.Punt)
            {
                continue; // the punt queue owns it now
            }

            if (!packet.IsDropped && packet.Disposition == PacketDisposition.Transmit)
            {
                OnWire(packet.Data, packet.EgressPort, ref result);
            }

            if (packet.IngressPort == injection.Id)
            {
                injection.Free(ref packet);
            }
            else
            {
                pool.Free(ref packet);
            }
        }
    }

    private void OnWire(ReadOnlySpan<byte> frame, ushort port, ref StormResult result)
    {
        Assert.Equal(UnderlayPort, port); // nothing goes back to the site
        Assert.Equal(0x0800, BinaryPrimitives.ReadUInt16BigEndian(frame[12..]));
        var ip = frame[14..];
        int ipHeader = (ip[0] & 0x0F) * 4;
        Assert.Equal(17, ip[9]);
        ushort destinationPort = BinaryPrimitives.ReadUInt16BigEndian(ip[(ipHeader + 2)..]);
        var udpPayload = ip[(ipHeader + 8)..BinaryPrimitives.ReadUInt16BigEndian(ip[2..])];
        if (destinationPort == 4341)
        {
            // LISP data: the inner header follows the 8-byte LISP header; it must be the legitimate flow's.
            var inner = udpPayload[8..];
            Assert.Equal(0x0A020001u, BinaryPrimitives.ReadUInt32BigEndian(inner[16..]));
            uint outer = BinaryPrimitives.ReadUInt32BigEndian(ip[16..]);
            Assert.True(outer is 0xC6336401 or 0xC6336402, $"encapsulated toward {outer:X8}");
            result.LegitimateEncapsulated++;
            return;
        }

        Assert.Equal(4342, destinationPort);
        Assert.Equal(0xC0000264u, BinaryPrimitives.ReadUInt32BigEndian(ip[16..])); // to the map-resolver
        Assert.True(EncapsulatedControlHeader.TryParseEncapsulated(udpPayload, out var ecm, out string error), error);
        Assert.True(MapRequest.TryParse(ecm!.MessageIn(udpPayload), out var request, out error), error);
        Assert.True(LispAddressing.TryToEid(Assert.Single(request!.Records), out var eid));
        result.MapRequestsOnWire.Add(new WireMapRequest(clock.Now, request.Nonce, eid));
    }

    private static bool IsStorm(in PacketDescriptor packet) =>
        packet.Data.Length > 34 && packet.Data[14 + 16] == 11;

    private static long RetainedBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    public void Dispose()
    {
        pool.Dispose();
        injection.Dispose();
    }
}

internal sealed record WireMapRequest(long At, ulong Nonce, EidPrefix Eid);

internal sealed class StormResult
{
    public long StormPunted { get; set; }

    public long LegitimateSent { get; set; }

    public long LegitimateEncapsulated { get; set; }

    public List<WireMapRequest> MapRequestsOnWire { get; } = [];

    public int MaxPending { get; set; }

    public int MaxPuntQueue { get; set; }

    public int MaxRememberedAsks { get; set; }

    public int PendingAtEnd { get; set; }

    public long StormEndedAt { get; set; }

    public long StormMilliseconds { get; set; }

    public long TotalMilliseconds { get; set; }

    public long RetainedBytesGrowth { get; set; }

    public CounterSnapshot Forwarding { get; set; } = null!;

    public LispControlCounters Lisp { get; set; } = null!;

    public override string ToString() =>
        $"storm {StormMilliseconds} ms simulated, {MapRequestsOnWire.Count(r => r.At <= StormEndedAt)} Map-Requests on the wire during it, " +
        $"{MapRequestsOnWire.Count} in {TotalMilliseconds} ms; punted {StormPunted}, punt queue full {Forwarding.Dropped(DropReason.PuntQueueFull)}; " +
        $"sent {Lisp[LispControlEvent.MapRequestSent]}, retransmitted {Lisp[LispControlEvent.MapRequestRetransmitted]}, " +
        $"rate-limited {Lisp[LispControlEvent.RateLimited]}, retransmissions deferred {Lisp[LispControlEvent.RetransmissionRateLimited]}, pending-limit {Lisp[LispControlEvent.PendingLimitReached]}, gave up {Lisp[LispControlEvent.MapRequestGaveUp]}; " +
        $"max pending {MaxPending}, max punt queue {MaxPuntQueue}, max remembered asks {MaxRememberedAsks}; " +
        $"legitimate {LegitimateEncapsulated}/{LegitimateSent}; heap growth {RetainedBytesGrowth / 1024} KiB";
}
