using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Icmp;
using Dataplane.Forwarding.Stages;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Icmp;

/// <summary>
/// The ICMP error writer against Scapy's errors (IcmpVectors): type, code, quote, lengths and both checksums (the
/// ICMPv6 one over the pseudo-header), built in buffers that end where the frame does.
/// </summary>
public sealed class IcmpErrorWriterTests : IDisposable
{
    private static readonly Ipv4Address Port0 = Ipv4Address.Parse("192.0.2.1");
    private static readonly Ipv6Address Port0V6 = Ipv6Address.Parse("2001:db8:ffff::1");

    private readonly TightFrameHarness harness = new("native-routing");

    [Fact]
    public void Time_exceeded_quotes_the_whole_small_packet_without_tailroom()
    {
        var packet = Arrived(IcmpVectors.ExpiringIpv4Frame, PacketKind.NativeIpv4);
        Assert.True(IcmpErrorWriter.TryWriteTimeExceeded(ref packet, Port0));
        Assert.Equal(IcmpVectors.TimeExceededIpv4, packet.Data.ToArray());
        Assert.Equal(PacketKind.NativeIpv4, packet.Kind);
        Assert.Equal(packet.DataOffset, packet.L3Offset);
        Assert.Equal(packet.DataOffset + 20, packet.L4Offset);
    }

    [Fact]
    public void Net_unreachable_is_cut_to_576_octets()
    {
        var packet = Arrived(IcmpVectors.UnroutableIpv4Frame, PacketKind.NativeIpv4);
        Assert.True(IcmpErrorWriter.TryWriteNetUnreachable(ref packet, Port0));
        Assert.Equal(576, packet.Length);
        Assert.Equal(IcmpVectors.NetUnreachableIpv4, packet.Data.ToArray());
    }

    [Fact]
    public void Hop_limit_exceeded_has_the_pseudo_header_checksum_without_tailroom()
    {
        var packet = Arrived(IcmpVectors.ExpiringIpv6Frame, PacketKind.NativeIpv6);
        Assert.True(IcmpErrorWriter.TryWriteHopLimitExceeded(ref packet, Port0V6));
        Assert.Equal(IcmpVectors.HopLimitExceededIpv6, packet.Data.ToArray());
        Assert.Equal(PacketKind.NativeIpv6, packet.Kind);
        Assert.Equal(packet.DataOffset + 40, packet.L4Offset);
    }

    [Fact]
    public void No_route_is_cut_to_1280_octets()
    {
        var packet = Arrived(IcmpVectors.UnroutableIpv6Frame, PacketKind.NativeIpv6);
        Assert.True(IcmpErrorWriter.TryWriteNoRoute(ref packet, Port0V6));
        Assert.Equal(1280, packet.Length);
        Assert.Equal(IcmpVectors.NoRouteIpv6, packet.Data.ToArray());
    }

    [Fact]
    public unsafe void Without_room_for_the_headers_the_packet_is_left_as_it_was()
    {
        // A bare IPv4 packet (its link-layer header already stripped) with 27 octets in front: one short of the 28
        // the new IPv4 and ICMP headers need.
        byte[] ip = IcmpVectors.ExpiringIpv4Frame[14..];
        var backing = harness.Tight(ip);
        var packet = default(PacketDescriptor);
        packet.Attach(backing.Buffer + TightFrameHarness.Headroom - 27, 27 + ip.Length, 27, ip.Length, owner: 0);
        packet.Kind = PacketKind.NativeIpv4;
        packet.L3Offset = (ushort)packet.DataOffset;

        Assert.False(IcmpErrorWriter.TryWriteTimeExceeded(ref packet, Port0));
        Assert.Equal(ip, packet.Data.ToArray());
        Assert.Equal(27, packet.DataOffset);
    }

    private PacketDescriptor Arrived(byte[] frame, PacketKind kind)
    {
        var packet = harness.Tight(frame);
        packet.Kind = kind;
        packet.L2Offset = (ushort)packet.DataOffset;
        packet.L3Offset = (ushort)(packet.DataOffset + 14);
        return packet;
    }

    public void Dispose() => harness.Dispose();
}
