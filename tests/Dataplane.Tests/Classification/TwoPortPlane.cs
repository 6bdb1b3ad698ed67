using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;

namespace Dataplane.Tests.Classification;

/// <summary>
/// A box with two ports for the transit tests: 0 "core" (192.0.2.1, 2001:db8:ff::1; gateways 192.0.2.254 and
/// 2001:db8:ff::fe, the default routes) and 1 "site" (10.1.0.1, 2001:db8:1::1; hosts 10.1.0.10 and 2001:db8:1::10),
/// plus whatever roles and sections a test adds. Frames go through a worker's whole pipeline.
/// </summary>
internal sealed class TwoPortPlane : IDisposable
{
    public const ushort Core = 0;
    public const ushort Site = 1;
    public const string CoreMac = "02:00:00:00:00:01";
    public const string SiteMac = "02:00:00:00:00:02";
    public const string GatewayMac = "02:00:00:00:00:fe";
    public const string HostMac = "02:00:00:00:01:0a";

    public TwoPortPlane(string roles, string sections = "", string extraPorts = "", string extraRoutes = "", string extraNeighbours = "")
    {
        string json = $$"""
            {
              "roles": [{{roles}}],
              "ports": [
                { "name": "core", "mac": "{{CoreMac}}", "addresses": ["192.0.2.1", "2001:db8:ff::1"] },
                { "name": "site", "mac": "{{SiteMac}}", "addresses": ["10.1.0.1", "2001:db8:1::1"] }{{extraPorts}}
              ],
              "neighbours": [
                { "address": "192.0.2.254", "mac": "{{GatewayMac}}", "port": "core" },
                { "address": "2001:db8:ff::fe", "mac": "{{GatewayMac}}", "port": "core" },
                { "address": "10.1.0.10", "mac": "{{HostMac}}", "port": "site" },
                { "address": "2001:db8:1::10", "mac": "{{HostMac}}", "port": "site" }{{extraNeighbours}}
              ],
              "routes": [
                { "prefix": "0.0.0.0/0", "nextHop": "192.0.2.254", "port": "core" },
                { "prefix": "::/0", "nextHop": "2001:db8:ff::fe", "port": "core" },
                { "prefix": "10.1.0.0/24", "port": "site" },
                { "prefix": "2001:db8:1::/64", "port": "site" }{{extraRoutes}}
              ]{{sections}}
            }
            """;
        Plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(json), new ForwardingPlaneOptions { NonceSeed = 1 });
        Pipeline = Plane.CreateWorker();
    }

    public ForwardingPlane Plane { get; }

    public ForwardingPipeline Pipeline { get; }

    public PacketPool Pool { get; } = new(bufferCount: 256);

    public PacketBatch Batch { get; } = new();

    public WorkerCounters Counters => Pipeline.Counters;

    /// <summary>Runs the frames through the pipeline, each arriving on its port; conservation must hold after.</summary>
    public PacketBatch Process(params (ushort Port, byte[] Frame)[] frames)
    {
        Free();
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
        Assert.True(Plane.Counters().IsConserved, Plane.Counters().ToTable());
        return Batch;
    }

    private void Free()
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
        Free();
        Pool.Dispose();
    }
}
