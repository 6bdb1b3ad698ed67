using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tests.GtpU;

namespace Dataplane.Tests.Rules;

/// <summary>
/// Rules of scope instance on a router: native packets of the instance are marked or dropped before routing; the
/// frames that come out are Scapy's builds of what must (TTL / hop limit decremented by routing, DSCP marked, ECN
/// kept, every checksum computed by Scapy).
/// </summary>
public sealed class InstanceRuleStageTests : IDisposable
{
    private const string Json = """
        {
          "ports": [
            { "name": "inside", "mac": "02:00:00:00:00:01", "instanceId": 7 },
            { "name": "outside", "mac": "02:00:00:00:00:02" }
          ],
          "neighbours": [
            { "address": "198.51.100.9", "mac": "02:00:00:00:09:09", "port": "outside" },
            { "address": "2001:db8:9::9", "mac": "02:00:00:00:09:09", "port": "outside" }
          ],
          "routes": [
            { "prefix": "[7]0.0.0.0/0", "nextHop": "198.51.100.9", "port": "outside" },
            { "prefix": "[7]::/0", "nextHop": "2001:db8:9::9", "port": "outside" }
          ],
          "trafficRules": [
            { "name": "voice", "priority": 20, "scope": "instance", "instanceId": 7, "match": { "protocol": "udp", "destinationPorts": "16384-32767" }, "actions": { "markDscp": 46 } },
            { "name": "no-telnet", "priority": 10, "scope": "instance", "instanceId": 7, "match": { "protocol": "tcp", "destinationPorts": 23 }, "actions": { "drop": true } },
            { "name": "elsewhere", "priority": 10, "scope": "instance", "instanceId": 8, "actions": { "drop": true } }
          ]
        }
        """;

    private readonly ForwardingPlane plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(Json));
    private readonly PacketPool pool = new(bufferCount: 64);
    private readonly PacketBatch batch = new();

    [Fact]
    public void Native_packets_of_the_instance_are_marked_or_dropped_before_routing()
    {
        const string In = "Ether(src='02:00:00:00:aa:01', dst='02:00:00:00:00:01')";
        const string Out = "Ether(src='02:00:00:00:00:02', dst='02:00:00:00:09:09')";
        var frames = ScapyFrames.Build(
            $"{In}/IP(src='10.7.0.2', dst='198.51.100.50', tos=0x02, ttl=64, id=9)/UDP(sport=5000, dport=20000)/Raw(b'voice')",
            $"{In}/IP(src='10.7.0.2', dst='198.51.100.50', ttl=64, id=9)/TCP(sport=5000, dport=23, flags='S')",
            $"{In}/IPv6(src='2001:db8:7::2', dst='2001:db8:50::1', tc=0x01, hlim=64)/UDP(sport=5000, dport=30000)/Raw(b'voice6')",
            $"{In}/IP(src='10.7.0.2', dst='198.51.100.50', ttl=64, id=9)/UDP(sport=5000, dport=53)/Raw(b'dns')",
            $"{Out}/IP(src='10.7.0.2', dst='198.51.100.50', tos=0xBA, ttl=63, id=9)/UDP(sport=5000, dport=20000)/Raw(b'voice')",
            $"{Out}/IPv6(src='2001:db8:7::2', dst='2001:db8:50::1', tc=0xB9, hlim=63)/UDP(sport=5000, dport=30000)/Raw(b'voice6')",
            $"{Out}/IP(src='10.7.0.2', dst='198.51.100.50', ttl=63, id=9)/UDP(sport=5000, dport=53)/Raw(b'dns')");
        var pipeline = plane.CreateWorker();
        Assert.Contains(pipeline.Stages, s => s.Name == "instance-rules");
        foreach (var frame in frames[..4])
        {
            var packet = default(PacketDescriptor);
            Assert.True(pool.TryAllocate(ref packet));
            frame.CopyTo(packet.BufferSpan[packet.DataOffset..]);
            Assert.True(packet.TrySetLength(frame.Length));
            packet.IngressPort = 0;
            Assert.True(batch.TryAdd(packet));
        }

        pipeline.Process(batch);

        Assert.Equal(Convert.ToHexString(frames[4]), Convert.ToHexString(batch[0].Data));
        Assert.Equal(DropReason.TrafficRuleDrop, (DropReason)batch[1].DropReason);
        Assert.Equal(Convert.ToHexString(frames[5]), Convert.ToHexString(batch[2].Data));
        Assert.Equal(Convert.ToHexString(frames[6]), Convert.ToHexString(batch[3].Data)); // no rule: routed untouched
        Assert.True(plane.Counters().IsConserved);
        Assert.True(plane.TrafficRules.TryGet("voice", out var voice));
        Assert.Equal(2, voice.Packets);
        Assert.True(plane.TrafficRules.TryGet("elsewhere", out var other));
        Assert.Equal(0, other.Packets); // instance 8's rules do not see instance 7
    }

    public void Dispose()
    {
        foreach (ref var packet in batch.AsSpan())
        {
            pool.Free(ref packet);
        }

        pool.Dispose();
    }
}
