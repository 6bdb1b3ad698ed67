using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;
using Dataplane.Tables.MapCache;
using Dataplane.Tests.GtpU;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Classification;

/// <summary>
/// The classifier's rule: a datagram on a tunnel UDP port is a tunnel packet only when it is addressed to one of our
/// tunnel endpoints; to anyone else it is transit, plain IP. The ports and what they carry are IANA's assignments
/// (4341 LISP data, 4342 LISP control, 4789 VXLAN, 4790 VXLAN-GPE, 2152 GTP-U, 2123 GTP-C); the frames are Scapy's.
/// </summary>
public sealed class TunnelEndpointClassificationTests : IDisposable
{
    private const string Ours4 = "192.0.2.1";
    private const string Ours6 = "2001:db8::1";
    private const string Other4 = "198.51.100.7";
    private const string Other6 = "2001:db8:99::7";

    private readonly PacketPool pool = new(bufferCount: 64);
    private readonly PacketBatch batch = new();

    public static TheoryData<int, PacketKind> TunnelPorts() => new()
    {
        { 4341, PacketKind.LispData },
        { 4342, PacketKind.LispControl },
        { 4789, PacketKind.Vxlan },
        { 4790, PacketKind.VxlanGpe },
        { 2152, PacketKind.GtpU },
        { 2123, PacketKind.GtpC },
    };

    [Theory]
    [MemberData(nameof(TunnelPorts))]
    public void A_tunnel_port_makes_a_tunnel_packet_only_when_the_destination_is_ours(int port, PacketKind tunnel)
    {
        var frames = ScapyFrames.Build(
            $"Ether()/IP(src='{Other4}', dst='{Ours4}')/UDP(sport=50000, dport={port})/Raw(b'x' * 24)",
            $"Ether()/IP(src='{Other4}', dst='10.9.9.9')/UDP(sport=50000, dport={port})/Raw(b'x' * 24)",
            // IPv4 options take the general path instead of the fixed-offset one: the same rule must hold there.
            $"Ether()/IP(src='{Other4}', dst='{Ours4}', options=[IPOption_NOP()] * 4)/UDP(sport=50000, dport={port})/Raw(b'x' * 24)",
            $"Ether()/IP(src='{Other4}', dst='10.9.9.9', options=[IPOption_NOP()] * 4)/UDP(sport=50000, dport={port})/Raw(b'x' * 24)",
            $"Ether()/IPv6(src='{Other6}', dst='{Ours6}')/UDP(sport=50000, dport={port})/Raw(b'x' * 24)",
            $"Ether()/IPv6(src='{Other6}', dst='{Other6}')/UDP(sport=50000, dport={port})/Raw(b'x' * 24)",
            $"Ether()/Dot1Q(vlan=5)/IP(src='{Other4}', dst='{Ours4}')/UDP(sport=50000, dport={port})/Raw(b'x' * 24)",
            $"Ether()/Dot1Q(vlan=5)/IP(src='{Other4}', dst='10.9.9.9')/UDP(sport=50000, dport={port})/Raw(b'x' * 24)");

        var kinds = Classify(TunnelEndpoints.OfAddresses([IpAddress.Parse(Ours4), IpAddress.Parse(Ours6)]), frames.Select(f => ((ushort)0, f)));

        Assert.Equal(
            [tunnel, PacketKind.NativeIpv4, tunnel, PacketKind.NativeIpv4, tunnel, PacketKind.NativeIpv6, tunnel, PacketKind.NativeIpv4],
            kinds);
    }

    [Fact]
    public void Other_udp_ports_stay_native_whatever_the_destination()
    {
        var frames = ScapyFrames.Build(
            $"Ether()/IP(src='{Other4}', dst='{Ours4}')/UDP(sport=4789, dport=4788)/Raw(b'x' * 24)",
            $"Ether()/IP(src='{Other4}', dst='{Ours4}')/TCP(sport=50000, dport=2152)",
            $"Ether()/IPv6(src='{Other6}', dst='{Ours6}')/UDP(sport=2152, dport=53)/Raw(b'x' * 24)");

        var kinds = Classify(TunnelEndpoints.OfAddresses([IpAddress.Parse(Ours4), IpAddress.Parse(Ours6)]), frames.Select(f => ((ushort)0, f)));

        Assert.Equal([PacketKind.NativeIpv4, PacketKind.NativeIpv4, PacketKind.NativeIpv6], kinds);
    }

    [Fact]
    public void An_rloc_that_is_no_port_address_is_ours_and_a_replaced_rloc_set_counts_from_the_next_packet()
    {
        var database = new LocalDatabase(rlocs: [new Locator(IpAddress.Parse("203.0.113.1"), 1, 100), new Locator(IpAddress.Parse("2001:db8:77::1"), 1, 100)]);
        var builder = new TunnelEndpointsBuilder([IpAddress.Parse(Ours4)]);
        builder.AddRlocs(database);
        var endpoints = builder.Build();
        var frames = ScapyFrames.Build(
            "Ether()/IP(src='198.51.100.1', dst='203.0.113.1')/UDP(sport=50000, dport=4341)/Raw(b'x' * 24)",
            "Ether()/IP(src='198.51.100.1', dst='203.0.113.2')/UDP(sport=50000, dport=4341)/Raw(b'x' * 24)",
            "Ether()/IPv6(src='2001:db8:1::1', dst='2001:db8:77::1')/UDP(sport=4342, dport=4342)/Raw(b'x' * 24)",
            "Ether()/IPv6(src='2001:db8:1::1', dst='2001:db8:77::2')/UDP(sport=4342, dport=4342)/Raw(b'x' * 24)");
        var all = frames.Select(f => ((ushort)0, f)).ToArray();

        Assert.Equal([PacketKind.LispData, PacketKind.NativeIpv4, PacketKind.LispControl, PacketKind.NativeIpv6], Classify(endpoints, all));

        // Change-Priority or an operator moves us to other RLOCs: the old ones are now someone else's.
        database.SetRlocs([new Locator(IpAddress.Parse("203.0.113.2"), 1, 100), new Locator(IpAddress.Parse("2001:db8:77::2"), 1, 100)]);
        Assert.Equal([PacketKind.NativeIpv4, PacketKind.LispData, PacketKind.NativeIpv6, PacketKind.LispControl], Classify(endpoints, all));
    }

    [Fact]
    public void A_port_classified_by_port_alone_sees_the_marked_kind_to_anyone_and_nothing_more()
    {
        var builder = new TunnelEndpointsBuilder([IpAddress.Parse(Ours4)]);
        builder.ClassifyByPortAlone(2, PacketKinds.GtpU);
        var endpoints = builder.Build();
        var frames = ScapyFrames.Build(
            "Ether()/IP(src='192.0.2.10', dst='198.51.100.20')/UDP(sport=2152, dport=2152)/GTP_U_Header(teid=1)/IP()/ICMP()",
            "Ether()/IP(src='192.0.2.10', dst='198.51.100.20')/UDP(sport=2123, dport=2123)/GTPHeader()/GTPEchoRequest()",
            "Ether()/IP(src='192.0.2.10', dst='198.51.100.20')/UDP(sport=50000, dport=4789)/Raw(b'x' * 24)");

        var onMarkedPort = Classify(endpoints, frames.Select(f => ((ushort)2, f)));
        var onOtherPort = Classify(endpoints, frames.Select(f => ((ushort)1, f)));

        Assert.Equal([PacketKind.GtpU, PacketKind.NativeIpv4, PacketKind.NativeIpv4], onMarkedPort);
        Assert.Equal([PacketKind.NativeIpv4, PacketKind.NativeIpv4, PacketKind.NativeIpv4], onOtherPort);
    }

    [Fact]
    public void Classified_by_port_alone_every_tunnel_port_is_a_tunnel_as_a_stage_tested_alone_wants()
    {
        var frames = ScapyFrames.Build(
            "Ether()/IP(dst='10.9.9.9')/UDP(sport=50000, dport=4341)/Raw(b'x' * 24)",
            "Ether()/IPv6(dst='2001:db8:99::9')/UDP(sport=50000, dport=2152)/Raw(b'x' * 24)");

        Assert.Equal([PacketKind.LispData, PacketKind.GtpU], Classify(TunnelEndpoints.ByPortAlone, frames.Select(f => ((ushort)0, f))));
    }

    [Fact]
    public void Classifying_transit_and_terminating_tunnel_packets_allocates_nothing()
    {
        var database = new LocalDatabase(rlocs: [new Locator(IpAddress.Parse("203.0.113.1"), 1, 100)]);
        var builder = new TunnelEndpointsBuilder([IpAddress.Parse(Ours4), IpAddress.Parse(Ours6)]);
        builder.AddRlocs(database);
        builder.ClassifyByPortAlone(1, PacketKinds.GtpU);
        var endpoints = builder.Build();
        var frames = ScapyFrames.Build(
            $"Ether()/IP(dst='{Ours4}')/UDP(sport=50000, dport=4789)/Raw(b'x' * 24)",
            $"Ether()/IP(dst='{Other4}')/UDP(sport=50000, dport=4789)/Raw(b'x' * 24)",
            "Ether()/IP(dst='203.0.113.1')/UDP(sport=50000, dport=4341)/Raw(b'x' * 24)",
            $"Ether()/IPv6(dst='{Ours6}')/UDP(sport=50000, dport=2152)/Raw(b'x' * 24)",
            $"Ether()/IPv6(dst='{Other6}')/UDP(sport=50000, dport=2152)/Raw(b'x' * 24)");
        Fill(frames.Select((f, i) => ((ushort)(i % 2), f)));
        var counters = new WorkerCounters();
        ClassifyStage.Run(batch, counters, endpoints);

        long smallest = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int round = 0; round < 20_000; round++)
            {
                ClassifyStage.Run(batch, counters, endpoints);
            }

            smallest = Math.Min(smallest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, smallest);
        // Ports alternate 0, 1, 0, 1, 0: port 1 takes GTP-U by port alone, not VXLAN.
        Assert.Equal(
            [PacketKind.Vxlan, PacketKind.NativeIpv4, PacketKind.LispData, PacketKind.GtpU, PacketKind.NativeIpv6],
            batch.AsSpan().ToArray().Select(p => p.Kind).ToArray());
    }

    private PacketKind[] Classify(TunnelEndpoints endpoints, IEnumerable<(ushort Port, byte[] Frame)> frames)
    {
        Fill(frames);
        var counters = new WorkerCounters();
        ClassifyStage.Run(batch, counters, endpoints);
        Assert.Equal(0, counters.TotalDropped);
        return [.. batch.AsSpan().ToArray().Select(p => p.Kind)];
    }

    private void Fill(IEnumerable<(ushort Port, byte[] Frame)> frames)
    {
        pool.Free(batch);
        foreach (var (port, frame) in frames)
        {
            var packet = default(PacketDescriptor);
            Assert.True(pool.TryAllocate(ref packet));
            frame.CopyTo(packet.BufferSpan[packet.DataOffset..]);
            Assert.True(packet.TrySetLength(frame.Length));
            packet.IngressPort = port;
            Assert.True(batch.TryAdd(packet));
        }
    }

    public void Dispose()
    {
        pool.Free(batch);
        pool.Dispose();
    }
}
