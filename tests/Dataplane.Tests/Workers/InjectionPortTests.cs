using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Runtime.Ports;
using Dataplane.Runtime.Workers;
using Dataplane.Tables.Time;
using PacketDotNet;

namespace Dataplane.Tests.Workers;

/// <summary>
/// The control plane's way out: a bare IP packet injected for a worker leaves through the port the FIB chooses,
/// with a fresh Ethernet header and the TTL one less, or makes the worker ask for the unknown next hop.
/// </summary>
public sealed class InjectionPortTests
{
    /// <summary>One RLOC port; 198.51.100/24 through a known neighbour, 203.0.113/24 through one never learned.</summary>
    internal const string Config = """
        {
          "roles": ["itr", "etr"],
          "ports": [ { "name": "rloc-side", "mac": "02:00:00:00:00:02", "addresses": ["192.0.2.1"] } ],
          "neighbours": [ { "address": "192.0.2.254", "mac": "02:00:00:00:ff:01", "port": "rloc-side" } ],
          "routes": [ { "prefix": "198.51.100.0/24", "nextHop": "192.0.2.254", "port": "rloc-side" },
                      { "prefix": "203.0.113.0/24", "nextHop": "192.0.2.99", "port": "rloc-side" } ],
          "lisp": { "localRlocs": [ { "address": "192.0.2.1" } ], "localEids": [ "[7]10.1.0.0/24" ] }
        }
        """;

    /// <summary>IPv4/UDP 192.0.2.1:4342 -> DESTINATION:4342, TTL 64, 8 bytes of payload; header checksum by hand below.</summary>
    internal static byte[] Datagram(byte lastOctetNetwork, byte lastOctetHost)
    {
        byte[] packet =
        [
            0x45, 0x00, 0x00, 0x24, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00, // ver/ihl, tos, len 36, id 1, ttl 64, udp, csum
            192, 0, 2, 1, lastOctetNetwork == 100 ? (byte)198 : (byte)203, lastOctetNetwork == 100 ? (byte)51 : (byte)0, lastOctetNetwork, lastOctetHost,
            0x10, 0xf6, 0x10, 0xf6, 0x00, 0x10, 0x00, 0x00, // 4342 -> 4342, length 16, no checksum
            1, 2, 3, 4, 5, 6, 7, 8,
        ];
        var ip = new IPv4Packet(new PacketDotNet.Utils.ByteArraySegment(packet));
        ip.UpdateIPChecksum(); // PacketDotNet, not our checksum code
        return ip.Bytes;
    }

    [Fact]
    public void InjectedPacketIsRoutedOutWithAFreshEthernetHeaderAndTtlOneLess()
    {
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(Config), new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000) });
        using var wire = new RecordingPort(0);
        using var inject = new InjectionPort(1, queues: 1, bufferCount: 8);
        var ports = new PortSet([wire, inject]);
        var worker = new ForwardingWorker(0, plane.CreateWorker(), ports);

        Assert.True(inject.TryInject(Datagram(100, 7)));
        Assert.Equal(1, worker.PollOnce());

        var frame = Assert.Single(wire.Sent);
        var ethernet = new EthernetPacket(new PacketDotNet.Utils.ByteArraySegment(frame));
        Assert.Equal("02000000FF01", ethernet.DestinationHardwareAddress.ToString());
        Assert.Equal("020000000002", ethernet.SourceHardwareAddress.ToString());
        var ip = Assert.IsType<IPv4Packet>(ethernet.PayloadPacket);
        Assert.Equal(63, ip.TimeToLive);
        Assert.True(ip.ValidIPChecksum);
        Assert.Equal("198.51.100.7", ip.DestinationAddress.ToString());
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, ((UdpPacket)ip.PayloadPacket).PayloadData);
        var counters = plane.Counters();
        Assert.True(counters.IsConserved);
        Assert.Equal(1, counters.Transmitted);
        Assert.Equal(1, inject.Statistics.ReceivedPackets);
    }

    [Fact]
    public void InjectedPacketToAnUnknownNextHopMakesTheWorkerAskForIt()
    {
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(Config), new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000) });
        using var wire = new RecordingPort(0);
        using var inject = new InjectionPort(1, queues: 1, bufferCount: 8);
        var worker = new ForwardingWorker(0, plane.CreateWorker(), new PortSet([wire, inject]));

        Assert.True(inject.TryInject(Datagram(113, 5)));
        worker.PollOnce();

        var frame = Assert.Single(wire.Sent);
        var arp = Assert.IsType<ArpPacket>(new EthernetPacket(new PacketDotNet.Utils.ByteArraySegment(frame)).PayloadPacket);
        Assert.Equal(ArpOperation.Request, arp.Operation);
        Assert.Equal("192.0.2.99", arp.TargetProtocolAddress.ToString());
        Assert.Equal("192.0.2.1", arp.SenderProtocolAddress.ToString());
        Assert.True(plane.Counters().IsConserved);
    }

    [Fact]
    public void AFullQueueRefusesAndCountsInsteadOfBlocking()
    {
        using var inject = new InjectionPort(1, queues: 1, bufferCount: 2);
        Assert.True(inject.TryInject(Datagram(100, 1)));
        Assert.True(inject.TryInject(Datagram(100, 2)));
        Assert.False(inject.TryInject(Datagram(100, 3)));
        Assert.Equal(1, inject.Statistics.ReceiveDrops);
        Assert.False(inject.TryInject(new byte[PacketPool.DefaultFrameCapacity + 1]));
    }

    /// <summary>A port that records what is transmitted on it (a copy) and frees each buffer to its owner.</summary>
    internal sealed class RecordingPort(ushort id) : IPacketPort
    {
        public List<byte[]> Sent { get; } = [];

        public ushort Id => id;

        public string Name => "recording";

        public int QueueCount => 1;

        public PortStatistics Statistics => default;

        public int Receive(int queue, PacketBatch batch) => 0;

        public int Transmit(int queue, Span<PacketDescriptor> packets, PortSet owners)
        {
            foreach (ref var packet in packets)
            {
                Sent.Add(packet.Data.ToArray());
                owners.Free(ref packet);
            }

            return packets.Length;
        }

        public void Free(ref PacketDescriptor packet) => throw new InvalidOperationException("the recording port owns no buffers");

        public void Dispose()
        {
        }
    }
}
