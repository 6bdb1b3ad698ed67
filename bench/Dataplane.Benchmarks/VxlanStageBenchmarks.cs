using BenchmarkDotNet.Attributes;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.Time;

namespace Dataplane.Benchmarks;

/// <summary>
/// The whole worker pipeline (classify, VTEP stage, routing, settle) over a batch of 256 frames, per packet:
/// L2 encapsulation of 64-byte frames arriving on an access port toward a MAC pinned behind a remote VTEP
/// (source-MAC learning refresh, FDB lookup, underlay FIB + neighbour resolve, outer Ethernet/IPv4/UDP/VXLAN
/// write), and L2 decapsulation of VXLAN packets carrying 64-byte frames toward a MAC on the access port.
/// Each invocation first restores every descriptor and copies the original bytes back (a 64- or 114-byte copy
/// per packet, included in the figure) so every batch does the same work.
/// </summary>
[MemoryDiagnoser]
public class VxlanStageBenchmarks
{
    private const int BatchSize = PacketBatch.MaxCapacity;

    private const string Config = """
        {
          "roles": ["vtep"],
          "ports": [
            { "name": "underlay", "mac": "02:00:00:00:00:b1", "addresses": ["192.0.2.1"] },
            { "name": "access0", "mac": "02:00:00:00:00:a0" }
          ],
          "neighbours": [{ "address": "192.0.2.254", "mac": "02:00:00:00:00:fe", "port": "underlay" }],
          "routes": [{ "prefix": "198.51.100.0/24", "nextHop": "192.0.2.254", "port": "underlay" }],
          "vxlan": {
            "localVteps": ["192.0.2.1"],
            "bridgeDomains": [{
              "vni": 5000, "ports": ["access0"], "remoteVteps": ["198.51.100.2"],
              "staticMacs": [{ "mac": "02:aa:00:00:00:02", "vtep": "198.51.100.2" }, { "mac": "02:00:00:00:01:01", "port": "access0" }]
            }]
          }
        }
        """;

    // 64 bytes: Ethernet 02:00:00:00:01:01 -> 02:aa:00:00:00:02, IPv4 10.0.0.1 -> 10.0.0.2 UDP 1000 -> 2000, 22 bytes of payload.
    private static readonly byte[] AccessFrame = Convert.FromHexString(
        "02aa0000000202000000010108004500003200000000401100000a0000010a00000203e807d0001e0000" + new string('0', 44));

    // The reverse 64-byte frame inside Ethernet/IPv4/UDP 4789/VXLAN(5000) from VTEP 198.51.100.2 to us.
    private static readonly byte[] TunnelFrame = Convert.FromHexString(
        "02000000 00b102000000 00fe0800".Replace(" ", "") +
        "45000064000040004011" + "0000" + "c6336402c0000201" +
        "c35012b500500000" + "0800000000138800" +
        "02000000010102aa0000000208004500003200000000401100000a0000020a00000107d003e8001e0000" + new string('0', 44));

    private readonly PacketBatch encapBatch = new();
    private readonly PacketBatch decapBatch = new();
    private PacketDescriptor[] encapSaved = [];
    private PacketDescriptor[] decapSaved = [];
    private PacketPool pool = null!;
    private ForwardingPipeline worker = null!;
    private ForwardingPlane plane = null!;

    [GlobalSetup]
    public void Setup()
    {
        plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(Config), new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000) });
        worker = plane.CreateWorker();
        pool = new PacketPool(2 * BatchSize);
        encapSaved = Fill(encapBatch, AccessFrame, 1);
        decapSaved = Fill(decapBatch, TunnelFrame, 0);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var counters = plane.Counters();
        if (counters.TotalDropped != 0 || counters.Counted(ForwardingEvent.VxlanEncapsulated) + counters.Counted(ForwardingEvent.VxlanDecapsulated) != counters.Received)
        {
            throw new InvalidOperationException($"the benchmark measured a drop path:\n{counters.ToTable()}");
        }

        encapSaved.CopyTo(encapBatch.AsSpan());
        decapSaved.CopyTo(decapBatch.AsSpan());
        pool.Free(encapBatch);
        pool.Free(decapBatch);
        pool.Dispose();
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public void L2Encapsulate() => Run(encapBatch, encapSaved, AccessFrame);

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public void L2Decapsulate() => Run(decapBatch, decapSaved, TunnelFrame);

    private void Run(PacketBatch batch, PacketDescriptor[] saved, byte[] frame)
    {
        var packets = batch.AsSpan();
        for (int i = 0; i < packets.Length; i++)
        {
            packets[i] = saved[i];
            frame.CopyTo(packets[i].Data);
        }

        worker.Process(batch);
    }

    private PacketDescriptor[] Fill(PacketBatch batch, byte[] frame, ushort ingressPort)
    {
        for (int i = 0; i < BatchSize; i++)
        {
            var packet = default(PacketDescriptor);
            pool.TryAllocate(ref packet);
            packet.TrySetLength(frame.Length);
            frame.CopyTo(packet.Data);
            packet.IngressPort = ingressPort;
            batch.TryAdd(packet);
        }

        return batch.AsSpan().ToArray();
    }
}
