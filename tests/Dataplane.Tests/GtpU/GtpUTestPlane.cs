using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.Time;

namespace Dataplane.Tests.GtpU;

/// <summary>
/// A UPF-like plane for the GTP-U tests: port 0 "n3" (192.0.2.1, 2001:db8:3::1) toward the gNBs, port 1 "n6" toward
/// the data network; tunnels ue1 (IPv4 UE, instance 5), ue1-v6 (IPv6 UE), ue2 (QFI 9), ue3 (IPv6 outer).
/// </summary>
internal sealed class GtpUTestPlane : IDisposable
{
    public const string N3Mac = "02:00:00:00:03:01";
    public const string N6Mac = "02:00:00:00:06:01";
    public const string GnbMac = "02:00:00:00:0a:0a";
    public const string Gnb6Mac = "02:00:00:00:0a:66";
    public const string DnMac = "02:00:00:00:06:fe";

    /// <param name="more">More top-level fields, each followed by a comma (e.g. <c>"tunnelUdpChecksum": "accept",</c>).</param>
    /// <param name="moreGtpu">More fields of the gtpu section, each followed by a comma.</param>
    public static string Json(int n3Mtu = 1500, string more = "", string moreGtpu = "") => $$"""
        {
          {{more}}
          "roles": ["gtpu"],
          "ports": [
            { "name": "n3", "mac": "{{N3Mac}}", "mtu": {{n3Mtu}}, "addresses": ["192.0.2.1", "2001:db8:3::1"] },
            { "name": "n6", "mac": "{{N6Mac}}", "addresses": ["198.51.100.1"] }
          ],
          "neighbours": [
            { "address": "192.0.2.10", "mac": "{{GnbMac}}", "port": "n3" },
            { "address": "2001:db8:3::10", "mac": "{{Gnb6Mac}}", "port": "n3" },
            { "address": "198.51.100.254", "mac": "{{DnMac}}", "port": "n6" }
          ],
          "routes": [
            { "prefix": "192.0.2.0/24", "port": "n3" },
            { "prefix": "2001:db8:3::/64", "port": "n3" },
            { "prefix": "0.0.0.0/0", "nextHop": "198.51.100.254", "port": "n6" },
            { "prefix": "[5]0.0.0.0/0", "nextHop": "198.51.100.254", "port": "n6" }
          ],
          "gtpu": {
            {{moreGtpu}}
            "tunnels": [
              { "name": "ue1", "localAddress": "192.0.2.1", "peerAddress": "192.0.2.10", "teidIn": 256, "teidOut": 512, "ueAddress": "10.45.0.2", "instanceId": 5 },
              { "name": "ue2", "localAddress": "192.0.2.1", "peerAddress": "192.0.2.10", "teidIn": 257, "teidOut": 513, "ueAddress": "10.45.0.3", "qfi": 9 },
              { "name": "ue3", "localAddress": "2001:db8:3::1", "peerAddress": "2001:db8:3::10", "teidIn": 258, "teidOut": 514, "ueAddress": "10.45.0.4" }
            ]
          }
        }
        """;

    public GtpUTestPlane(int n3Mtu = 1500, string more = "", string moreGtpu = "")
    {
        Plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(Json(n3Mtu, more, moreGtpu)), new ForwardingPlaneOptions { Clock = Clock, NonceSeed = 1 });
        Pipeline = Plane.CreateWorker();
    }

    /// <summary>The plane's clock (1 GHz ticks), which only tests move.</summary>
    public ManualClock Clock { get; } = new(1_000_000_000);

    public ForwardingPlane Plane { get; }

    public ForwardingPipeline Pipeline { get; }

    public PacketPool Pool { get; } = new(bufferCount: 1024);

    public PacketBatch Batch { get; } = new();

    /// <summary>Fills the batch with the frames, arriving on <paramref name="port"/>.</summary>
    public void Load(ushort port, params byte[][] frames)
    {
        FreeBatch();
        foreach (byte[] frame in frames)
        {
            var packet = default(PacketDescriptor);
            Assert.True(Pool.TryAllocate(ref packet));
            frame.CopyTo(packet.BufferSpan[packet.DataOffset..]);
            Assert.True(packet.TrySetLength(frame.Length));
            packet.IngressPort = port;
            Assert.True(Batch.TryAdd(packet));
        }
    }

    /// <summary>Frees the batch's packets and drains the punt queue.</summary>
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
