using System.Diagnostics;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Ports.AfPacket;
using Dataplane.Runtime.Egress;
using Dataplane.Runtime.Ports;
using Dataplane.Runtime.Workers;
using Dataplane.Tests.AfPacket;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Egress;

/// <summary>
/// A shaped AF_PACKET port on a veth pair, behind a real worker and pipeline (routing, the port's transmit ring), the
/// worker's loop run on the test's thread: best effort floods it from an in-memory source far beyond its rate while
/// the guaranteed class offers exactly its guarantee (paced by the wall clock). Over a timed window the kernel's count
/// of what the far end received must be the port's rate, and the classes' shares of it the guarantee and the rest.
/// The per-class split is the scheduler's own count, checked to add up to the kernel's: a packet socket in the
/// namespace did not see these frames (the interface counters did), a puzzle left for later.
/// </summary>
public sealed class EgressAfPacketTests
{
    private const long Rate = 40_000_000;
    private const long Guarantee = 12_000_000;
    private const double Warmup = 0.5;
    private const double Window = 2.0;

    private static byte[] Frame(int dscp, int length)
    {
        string script = $"""
            from scapy.all import Ether, IP, UDP, raw
            f = Ether(dst='02:00:00:00:00:10', src='02:00:00:00:00:99')/IP(src='10.99.0.1', dst='10.213.0.2', tos={dscp << 2}, ttl=64)/UDP(sport=4000, dport=5000)
            f = f/(b'\x00' * ({length} - len(f)))
            print(raw(f).hex())
            """;
        return Convert.FromHexString(ScapyOracle.Run("-c", script).Trim());
    }

    [Fact]
    public void Under_a_best_effort_flood_the_guaranteed_class_leaves_at_its_guarantee()
    {
        VethNamespace.RequireRoot();
        ScapyOracle.RequireInstalled();
        using var veth = new VethNamespace();
        var config = DataplaneConfigFile.Parse($$"""
            {
              "roles": [],
              "ports": [
                { "name": "flood", "mac": "02:00:00:00:00:10" },
                { "name": "out", "mac": "02:00:00:00:01:01",
                  "egress": {
                    "rateBitsPerSecond": {{Rate}},
                    "burstBytes": 1000000,
                    "classes": [ { "name": "mec", "dscp": [46], "guaranteedBitsPerSecond": {{Guarantee}}, "weight": 1, "queuePackets": 512 } ],
                    "bestEffort": { "weight": 4, "queuePackets": 1024 }
                  } }
              ],
              "neighbours": [ { "address": "10.213.0.2", "mac": "02:00:00:00:02:02", "port": "out" } ],
              "routes": [ { "prefix": "10.213.0.0/24", "port": "out" } ]
            }
            """);
        var plane = ForwardingPlaneBuilder.Build(config);
        // Weights 1:4 would give mec 8 of the 40 Mbit/s by round robin: only its guarantee brings it to 12.
        using var flood = new PacedFloodPort(0, Frame(0, 1000), Frame(46, 1000), Guarantee);
        using var output = new AfPacketPort(1, veth.HostInterface, 1);
        var ports = new PortSet([flood, output]);
        var worker = new ForwardingWorker(0, plane.CreateWorker(), ports, WorkerEgress.Create(config, workers: 1));
        var scheduler = worker.Egress!.For(1)!;
        // The worker's loop, on this thread, bounded in time: a full batch of flood at every poll. The window opens
        // after the warm-up (the initial burst gone, the queues full) and lasts Window seconds of wall clock.
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(Warmup))
        {
            worker.PollOnce();
        }

        long peerAtOpen = PeerReceivedPackets(veth);
        long mecAtOpen = scheduler.Classes[0].Packets, bestEffortAtOpen = scheduler.Classes[1].Packets;
        var window = Stopwatch.StartNew();
        while (window.Elapsed < TimeSpan.FromSeconds(Window))
        {
            worker.PollOnce();
        }

        long mecSent = scheduler.Classes[0].Packets - mecAtOpen, bestEffortSent = scheduler.Classes[1].Packets - bestEffortAtOpen;
        double seconds = window.Elapsed.TotalSeconds;
        Thread.Sleep(100); // what the port handed to the kernel last reaches the peer
        long peerReceived = PeerReceivedPackets(veth) - peerAtOpen;
        worker.DiscardEgress();

        var counters = CounterSnapshot.Sum([worker.Pipeline.Counters]);
        double mec = mecSent * 1000 * 8 / seconds;
        double bestEffort = bestEffortSent * 1000 * 8 / seconds;
        double atPeer = peerReceived * 1000 * 8 / seconds;
        string figures = $"mec {mec / 1e6:F2} Mbit/s (guaranteed {Guarantee / 1e6}), best effort {bestEffort / 1e6:F2} Mbit/s, port rate {Rate / 1e6}, the peer's kernel received {atPeer / 1e6:F2} Mbit/s; {counters.ToTable()}";
        Assert.True(mec >= 0.9 * Guarantee && mec <= 1.1 * Guarantee, figures);
        Assert.True(bestEffort >= 0.85 * (Rate - Guarantee) && bestEffort <= 1.05 * (Rate - Guarantee), figures);
        Assert.True(atPeer >= 0.9 * Rate && atPeer <= 1.05 * Rate, figures);
        Assert.True(Math.Abs(peerReceived - (mecSent + bestEffortSent)) <= 0.02 * peerReceived + 300, figures);
        Assert.True(counters.Dropped(DropReason.EgressQueueFull) > 0, counters.ToTable());
        Assert.True(counters.IsConserved, counters.ToTable());
        Assert.Equal(flood.BufferCount, flood.Available);
    }

    /// <summary>Packets the far end of the veth received, by the kernel's count (ip -s link).</summary>
    private static long PeerReceivedPackets(VethNamespace veth)
    {
        string json = VethNamespace.Output("ip", $"-n {veth.Namespace} -s -j link show dev {veth.PeerInterface}");
        return System.Text.Json.JsonDocument.Parse(json).RootElement[0].GetProperty("stats64").GetProperty("rx").GetProperty("packets").GetInt64();
    }
}
