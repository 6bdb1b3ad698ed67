using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Tof;
using Dataplane.Tables.Time;

namespace Dataplane.Tests.Tof;

/// <summary>
/// A TOF with separate ports: 0 "enb" (eNBs 192.0.2.10 / .11), 1 "sgw" (SGWs 198.51.100.20 / .21), 2 "apps"
/// (applications in 203.0.113.0/24); service "video" 10.200.0.1 -> 203.0.113.10; idle timeout 60 s. With IPv6: eNB
/// 2001:db8:e::10 (eNB 1's MAC), SGW 2001:db8:5::20, application 2001:db8:a::10 (app 1's MAC) and service "video6"
/// 2001:db8:100::1 -> 2001:db8:a::10, each /64 routed to its port.
/// </summary>
internal sealed class TofTestPlane : IDisposable
{
    public const ushort EnbPort = 0;
    public const ushort SgwPort = 1;
    public const ushort AppsPort = 2;
    public const string EnbPortMac = "02:00:00:00:e0:01";
    public const string SgwPortMac = "02:00:00:00:e0:02";
    public const string AppsPortMac = "02:00:00:00:e0:04";
    public const string Enb1Mac = "02:00:00:00:0e:01";
    public const string Enb2Mac = "02:00:00:00:0e:02";
    public const string Sgw1Mac = "02:00:00:00:05:01";
    public const string App1Mac = "02:00:00:00:a0:01";

    public const string Ipv6Neighbours = $$"""
        { "address": "2001:db8:e::10", "mac": "{{Enb1Mac}}", "port": "enb" },
        { "address": "2001:db8:5::20", "mac": "{{Sgw1Mac}}", "port": "sgw" },
        { "address": "2001:db8:a::10", "mac": "{{App1Mac}}", "port": "apps" },
        """;

    public const string Ipv6Routes = """
        { "prefix": "2001:db8:e::/64", "port": "enb" },
        { "prefix": "2001:db8:5::/64", "port": "sgw" },
        { "prefix": "2001:db8:a::/64", "port": "apps" },
        """;

    public const string Ipv6Service = """, { "name": "video6", "serviceIP": "2001:db8:100::1", "applicationIP": "2001:db8:a::10" }""";

    public static string Json(string tofExtra = "", bool ipv6 = false, bool flowExport = false, string neighboursExtra = "") => $$"""
        {
          "roles": ["tof"],
          "ports": [
            { "name": "enb", "mac": "{{EnbPortMac}}" },
            { "name": "sgw", "mac": "{{SgwPortMac}}" },
            { "name": "apps", "mac": "{{AppsPortMac}}" }
          ],
          "neighbours": [{{(ipv6 ? Ipv6Neighbours : "")}}{{neighboursExtra}}
            { "address": "192.0.2.10", "mac": "{{Enb1Mac}}", "port": "enb" },
            { "address": "192.0.2.11", "mac": "{{Enb2Mac}}", "port": "enb" },
            { "address": "198.51.100.20", "mac": "{{Sgw1Mac}}", "port": "sgw" },
            { "address": "203.0.113.10", "mac": "{{App1Mac}}", "port": "apps" }
          ],
          "routes": [{{(ipv6 ? Ipv6Routes : "")}}
            { "prefix": "192.0.2.0/24", "port": "enb" },
            { "prefix": "198.51.100.0/24", "port": "sgw" },
            { "prefix": "203.0.113.0/24", "port": "apps" }
          ],
          "tof": {
            "enbPort": "enb", "sgwPort": "sgw", "appsPort": "apps", "idleTimeoutSeconds": 60,
            "services": [ { "name": "video", "serviceIP": "10.200.0.1", "applicationIP": "203.0.113.10" }{{(ipv6 ? Ipv6Service : "")}} ]{{tofExtra}}
          }{{(flowExport ? FlowExport : "")}}
        }
        """;

    /// <summary>A flowExport section: the flows count their own traffic.</summary>
    public const string FlowExport = """, "flowExport": { "collector": "127.0.0.1:4739" }""";

    /// <param name="neighboursExtra">More static neighbours, each followed by a comma (application instances of a cluster).</param>
    public TofTestPlane(string tofExtra = "", bool ipv6 = false, bool flowExport = false, string neighboursExtra = "")
    {
        Plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(Json(tofExtra, ipv6, flowExport, neighboursExtra)), new ForwardingPlaneOptions { Clock = Clock, NonceSeed = 1 });
        Pipeline = Plane.CreateWorker();
        Tof = Plane.Feature<TofFeature>()!;
    }

    public ManualClock Clock { get; } = new(1_000_000_000);

    public ForwardingPlane Plane { get; }

    public ForwardingPipeline Pipeline { get; }

    public TofFeature Tof { get; }

    public PacketPool Pool { get; } = new(bufferCount: 1024);

    public PacketBatch Batch { get; } = new();

    /// <summary>Runs frames through the pipeline, each arriving on its port; returns the batch for inspection.</summary>
    public PacketBatch Process(params (ushort Port, byte[] Frame)[] frames)
    {
        ProcessUnchecked(frames);
        Assert.True(Plane.Counters().IsConserved, Plane.Counters().ToTable());
        return Batch;
    }

    /// <summary>The same without the conservation check (which allocates a snapshot): for allocation measurements.</summary>
    public void ProcessUnchecked((ushort Port, byte[] Frame)[] frames)
    {
        FreeBatch();
        foreach (var (port, frame) in frames)
        {
            var packet = default(PacketDescriptor);
            Assert.True(Pool.TryAllocate(ref packet));
            frame.CopyTo(packet.BufferSpan[packet.DataOffset..]);
            Assert.True(packet.TrySetLength(frame.Length));
            packet.IngressPort = port;
            Assert.True(Batch.TryAdd(packet));
        }

        Pipeline.Process(Batch);
    }

    /// <summary>
    /// Bytes this thread allocated over 500 rounds of <paramref name="input"/>, after 50 rounds that warm the tables and
    /// the JIT up; the least of up to three measurements (a tier-up in one of them is the runtime's, not the path's).
    /// </summary>
    public long SteadyStateAllocatedBytes((ushort Port, byte[] Frame)[] input)
    {
        for (int i = 0; i < 50; i++)
        {
            Process(input);
        }

        long least = long.MaxValue;
        for (int run = 0; run < 3 && least != 0; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 500; i++)
            {
                ProcessUnchecked(input);
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }

    public void FreeBatch()
    {
        foreach (ref var packet in Batch.AsSpan())
        {
            if (packet.Disposition != PacketDisposition.Punt || packet.IsDropped)
            {
                Pool.Free(ref packet);
            }
        }

        Batch.Clear();
        while (Pipeline.Punts.TryDequeue(out var punted))
        {
            Pool.Free(ref punted);
        }
    }

    public void Dispose()
    {
        FreeBatch();
        Pool.Dispose();
    }
}
