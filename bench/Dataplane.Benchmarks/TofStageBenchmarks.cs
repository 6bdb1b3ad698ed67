using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Pipeline;
using BenchmarkDotNet.Attributes;

namespace Dataplane.Benchmarks;

/// <summary>
/// The TOF in a whole pipeline, per packet, over a batch of 256, on a one-armed TOF (S1 and Apps on one port):
/// <c>offload</c> is an uplink G-PDU to a registered service (114-byte frame: Ethernet / IPv4 / UDP / GTP-U / 64-byte
/// IPv4/UDP) decapsulated, destination-NATed and sent to the application; <c>reply</c> is the application's 78-byte
/// answer source-NATed and put into the UE's learned downlink tunnel. Tunnel and flow are learned in setup, so this
/// is the steady state. Frames from Scapy (scapy.contrib.gtp).
/// </summary>
public class TofStageBenchmarks : PipelineBenchmarkBase
{
    // Ether / IPv4 192.0.2.10 -> 198.51.100.20 / UDP 2152 / GTP-U TEID 0x1001 / IPv4 10.45.0.2 -> 10.200.0.1 / UDP 40000 -> 8080 / 36 zero bytes.
    private static readonly byte[] Uplink = Convert.FromHexString(
        "02000000e003020000000e010800450000640001000040118e36c000020ac6336414086808680050d62030ff0040000010014500004000010000401165b50a2d00020ac800019c401f90002c2ece"
        + "000000000000000000000000000000000000000000000000000000000000000000000000");

    // Ether / IPv4 198.51.100.20 -> 192.0.2.10 / UDP 2152 / GTP-U TEID 0xE001 / IPv4 192.0.2.200 -> 10.45.0.2: teaches the downlink.
    private static readonly byte[] Downlink = Convert.FromHexString(
        "02000000e0030200000005010800450000640001000040118e36c6336414c000020a086808680050be1f30ff00400000e00145000040000100004011adb5c00002c80a2d00029c3f9c41002cfa1d"
        + "000000000000000000000000000000000000000000000000000000000000000000000000");

    // Ether / IPv4 203.0.113.10 -> 10.45.0.2 / UDP 8080 -> 40000 / 36 zero bytes.
    private static readonly byte[] Reply = Convert.FromHexString(
        "02000000e00302000000a0010800450000400001000040113473cb00710a0a2d00021f909c40002cfd8b"
        + "000000000000000000000000000000000000000000000000000000000000000000000000");

    [Params("offload", "reply")]
    public string Direction { get; set; } = "offload";

    protected override string Configuration => """
        {
          "roles": ["tof"],
          "ports": [ { "name": "s1", "mac": "02:00:00:00:e0:03" } ],
          "neighbours": [
            { "address": "192.0.2.10", "mac": "02:00:00:00:0e:01", "port": "s1" },
            { "address": "198.51.100.20", "mac": "02:00:00:00:05:01", "port": "s1" },
            { "address": "203.0.113.10", "mac": "02:00:00:00:a0:01", "port": "s1" }
          ],
          "routes": [
            { "prefix": "192.0.2.0/24", "port": "s1" },
            { "prefix": "198.51.100.0/24", "port": "s1" },
            { "prefix": "203.0.113.0/24", "port": "s1" }
          ],
          "tof": {
            "s1Port": "s1", "appsPort": "s1", "enbAddresses": ["192.0.2.10"], "sgwAddresses": ["198.51.100.20"],
            "services": [ { "name": "video", "serviceIP": "10.200.0.1", "applicationIP": "203.0.113.10" } ]
          }
        }
        """;

    protected override byte[] Frame => Direction == "offload" ? Uplink : Reply;

    /// <summary>Learns the UE's uplink, its offloaded flow and its downlink through a worker of its own.</summary>
    protected override void Populate(ForwardingPlane plane)
    {
        var learner = plane.CreateWorker();
        using var pool = new PacketPool(2, 2048, 256);
        var batch = new PacketBatch();
        foreach (byte[] frame in new[] { Uplink, Downlink })
        {
            var packet = default(PacketDescriptor);
            pool.TryAllocate(ref packet);
            frame.CopyTo(packet.BufferSpan[packet.DataOffset..]);
            packet.TrySetLength(frame.Length);
            batch.TryAdd(packet);
        }

        learner.Process(batch);
        pool.Free(batch);
    }
}
