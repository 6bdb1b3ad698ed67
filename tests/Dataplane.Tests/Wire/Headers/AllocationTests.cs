using Dataplane.Wire.Headers;

namespace Dataplane.Tests.Wire.Headers;

/// <summary>The hot-path habit (docs/architecture.md): no allocation per packet. Classifying a frame down to L4 and checking its checksums must allocate nothing.</summary>
public class AllocationTests
{
    [Fact]
    public void Parsing_and_checksumming_a_frame_does_not_allocate()
    {
        byte[] v4 = OurFrames.QinQIpv4Udp("payload"u8);
        byte[] v6 = OurFrames.Ipv6FragmentedUdp("payload"u8);
        byte[] tcp = OurFrames.Ipv4Tcp("payload"u8);
        int valid = Classify(v4) + Classify(v6) + Classify(tcp);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            valid += Classify(v4) + Classify(v6) + Classify(tcp);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(3 * 1001, valid);
    }

    private static int Classify(Span<byte> frame)
    {
        if (!EthernetTagWalker.TryWalk(frame, out var layout))
        {
            return 0;
        }

        Span<byte> l3 = frame[layout.L3Offset..];
        if (layout.EtherType == EtherType.Ipv4 && Ipv4Header.TryCreate(l3, out var ip4) && ip4.IsChecksumValid)
        {
            return ip4.Protocol switch
            {
                IpProtocol.Udp => UdpHeader.TryCreate(ip4.Payload, out var udp) && udp.IsChecksumValid(ip4.Source, ip4.Destination) ? 1 : 0,
                IpProtocol.Tcp => TcpHeader.TryCreate(ip4.Payload, out var tcp) && tcp.IsChecksumValid(ip4.Source, ip4.Destination) ? 1 : 0,
                _ => 0,
            };
        }

        if (layout.EtherType == EtherType.Ipv6 && Ipv6Header.TryCreate(l3, out var ip6) && ip6.TryWalkExtensions(out var chain))
        {
            return chain.UpperLayerProtocol == IpProtocol.Udp && UdpHeader.TryCreate(l3[chain.UpperLayerOffset..ip6.Packet.Length], out var udp) && udp.SourcePort == 7 ? 1 : 0;
        }

        return 0;
    }
}
