using Dataplane.Wire.Headers;

namespace Dataplane.Tests.Wire.Headers;

public class Ipv6ExtensionWalkerTests
{
    private const string Addresses =
        "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02 ";

    // Scapy 2.5.0: an MLDv2 report: IPv6(src="fe80::1", dst="ff02::16", hlim=1)
    //   / IPv6ExtHdrHopByHop(options=[RouterAlert(value=0), PadN()]) / ICMPv6MLReport2().
    private const string MldWithHopByHop =
        "60 00 00 00 00 10 00 01 fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01 ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 16 " +
        "3a 00 05 02 00 00 01 00 8f 00 73 22 00 00 00 00";

    // Scapy 2.5.0: IPv6 / IPv6ExtHdrHopByHop / IPv6ExtHdrDestOpt / IPv6ExtHdrRouting(addresses=["2001:db8::99"], segleft=1)
    //   / IPv6ExtHdrFragment(offset=0, m=1, id=0xdeadbeef) / AH(nh=17, payloadlen=4, spi=0x100, seq=1, icv=12 zero bytes)
    //   / UDP(sport=1000, dport=2000) / "abcd". Headers: 8 + 8 + 24 + 8 + (4+2)*4 = 72 bytes, so UDP is at 40 + 72 = 112.
    private const string FiveHeaderChain =
        "60 00 00 00 00 54 00 40 " + Addresses +
        "3c 00 01 04 00 00 00 00 " +
        "2b 00 01 04 00 00 00 00 " +
        "2c 02 00 01 00 00 00 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 99 " +
        "33 00 00 01 de ad be ef " +
        "11 04 00 00 00 00 01 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 " +
        "03 e8 07 d0 00 0c 00 00 61 62 63 64";

    // Scapy 2.5.0: IPv6 / IPv6ExtHdrFragment(nh=17, offset=185, m=0, id=0x01020304) / 16 bytes: the last fragment.
    private const string LastFragment =
        "60 00 00 00 00 18 2c 40 " + Addresses +
        "11 00 05 c8 01 02 03 04 7a 7a 7a 7a 7a 7a 7a 7a 7a 7a 7a 7a 7a 7a 7a 7a";

    [Fact]
    public void No_extension_headers_points_straight_at_the_upper_layer()
    {
        Assert.True(Ipv6ExtensionWalker.TryWalk(Hex.Bytes(Ipv6HeaderTests.EchoRequest), out var chain));
        Assert.Equal(IpProtocol.Icmpv6, chain.UpperLayerProtocol);
        Assert.Equal(40, chain.UpperLayerOffset);
        Assert.Equal(0, chain.ExtensionCount);
        Assert.False(chain.HasFragmentHeader);
        Assert.True(chain.IsUpperLayerHeaderPresent);
    }

    [Fact]
    public void Skips_hop_by_hop_to_icmpv6()
    {
        byte[] packet = Hex.Bytes(MldWithHopByHop);
        Assert.True(Ipv6Header.TryCreate(packet, out var ip));
        Assert.True(ip.TryWalkExtensions(out var chain));
        Assert.Equal(IpProtocol.Icmpv6, chain.UpperLayerProtocol);
        Assert.Equal(48, chain.UpperLayerOffset);
        Assert.Equal(1, chain.ExtensionCount);
        Assert.Equal(0x8f, packet[chain.UpperLayerOffset]);
    }

    [Fact]
    public void Walks_five_headers_including_ah_units_and_reports_the_fragment()
    {
        byte[] packet = Hex.Bytes(FiveHeaderChain);
        Assert.True(Ipv6ExtensionWalker.TryWalk(packet, out var chain));
        Assert.Equal(IpProtocol.Udp, chain.UpperLayerProtocol);
        Assert.Equal(112, chain.UpperLayerOffset);
        Assert.Equal(5, chain.ExtensionCount);
        Assert.True(chain.HasFragmentHeader);
        Assert.Equal(0, chain.FragmentOffset);
        Assert.True(chain.MoreFragments);
        Assert.Equal(0xdeadbeefu, chain.FragmentIdentification);
        Assert.True(chain.IsUpperLayerHeaderPresent);
        Assert.True(UdpHeader.TryCreate(packet.AsSpan(chain.UpperLayerOffset), out var udp));
        Assert.Equal(1000, udp.SourcePort);
    }

    [Fact]
    public void A_non_first_fragment_has_no_upper_layer_header()
    {
        Assert.True(Ipv6ExtensionWalker.TryWalk(Hex.Bytes(LastFragment), out var chain));
        Assert.Equal(IpProtocol.Udp, chain.UpperLayerProtocol);
        Assert.Equal(48, chain.UpperLayerOffset);
        Assert.True(chain.HasFragmentHeader);
        Assert.Equal(185, chain.FragmentOffset);
        Assert.False(chain.MoreFragments);
        Assert.Equal(0x01020304u, chain.FragmentIdentification);
        Assert.False(chain.IsUpperLayerHeaderPresent);
    }

    [Fact]
    public void No_next_header_ends_the_walk_without_an_upper_layer()
    {
        byte[] packet = Hex.Bytes("60 00 00 00 00 08 3c 40 " + Addresses + "3b 00 01 04 00 00 00 00");
        Assert.True(Ipv6ExtensionWalker.TryWalk(packet, out var chain));
        Assert.Equal(IpProtocol.NoNextHeader, chain.UpperLayerProtocol);
        Assert.Equal(48, chain.UpperLayerOffset);
        Assert.False(chain.IsUpperLayerHeaderPresent);
    }

    [Fact]
    public void Eight_headers_are_walked_and_a_ninth_is_refused()
    {
        Assert.True(Ipv6ExtensionWalker.TryWalk(DestinationOptionsChain(8), out var chain));
        Assert.Equal(8, chain.ExtensionCount);
        Assert.Equal(IpProtocol.Udp, chain.UpperLayerProtocol);
        Assert.Equal(40 + 64, chain.UpperLayerOffset);

        Assert.False(Ipv6ExtensionWalker.TryWalk(DestinationOptionsChain(9), out _));
    }

    [Fact]
    public void A_chain_that_loops_back_on_itself_until_the_end_is_refused()
    {
        // Every Destination Options header names another one: a "loop" that only ends with the buffer.
        byte[] packet = DestinationOptionsChain(64);
        packet[^16] = IpProtocol.DestinationOptions;
        Assert.False(Ipv6ExtensionWalker.TryWalk(packet, out _));
    }

    [Fact]
    public void An_extension_length_that_runs_past_the_payload_is_refused()
    {
        byte[] packet = Hex.Bytes("60 00 00 00 00 10 3c 40 " + Addresses + "11 ff 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
        Assert.False(Ipv6ExtensionWalker.TryWalk(packet, out _));
        packet[41] = 1; // (1 + 1) * 8 = 16 bytes: exactly the payload.
        Assert.True(Ipv6ExtensionWalker.TryWalk(packet, out var chain));
        Assert.Equal(56, chain.UpperLayerOffset);
    }

    [Fact]
    public void An_ah_length_that_runs_past_the_payload_is_refused()
    {
        byte[] packet = Hex.Bytes("60 00 00 00 00 0c 33 40 " + Addresses + "11 02 00 00 00 00 01 00 00 00 00 01");
        Assert.False(Ipv6ExtensionWalker.TryWalk(packet, out _), "(2 + 2) * 4 = 16 > 12");
        packet[41] = 1; // (1 + 2) * 4 = 12
        Assert.True(Ipv6ExtensionWalker.TryWalk(packet, out var chain));
        Assert.Equal(52, chain.UpperLayerOffset);
    }

    [Fact]
    public void Hop_by_hop_after_the_first_position_is_refused()
    {
        byte[] packet = Hex.Bytes("60 00 00 00 00 10 3c 40 " + Addresses + "00 00 01 04 00 00 00 00 11 00 01 04 00 00 00 00");
        Assert.False(Ipv6ExtensionWalker.TryWalk(packet, out _));
    }

    [Fact]
    public void A_second_fragment_header_is_refused()
    {
        byte[] packet = Hex.Bytes("60 00 00 00 00 10 2c 40 " + Addresses + "2c 00 00 01 00 00 00 01 11 00 00 01 00 00 00 02");
        Assert.False(Ipv6ExtensionWalker.TryWalk(packet, out _));
    }

    [Fact]
    public void A_lying_payload_length_is_refused()
    {
        byte[] packet = Hex.Bytes(FiveHeaderChain);
        packet[5]++;
        Assert.False(Ipv6ExtensionWalker.TryWalk(packet, out _));
    }

    [Fact]
    public void Every_truncation_of_the_chain_is_refused_or_stays_inside_it()
    {
        byte[] full = Hex.Bytes(FiveHeaderChain);
        for (int length = 0; length < full.Length; length++)
        {
            byte[] cut = full[..length];
            if (Ipv6ExtensionWalker.TryWalk(cut, out var chain))
            {
                Assert.InRange(chain.UpperLayerOffset, 40, length);
            }
        }

        // Shrinking the payload length along with the buffer must fail until the whole chain fits.
        for (int payload = 0; payload < 72; payload++)
        {
            byte[] cut = full[..(40 + payload)];
            cut[4] = 0;
            cut[5] = (byte)payload;
            Assert.False(Ipv6ExtensionWalker.TryWalk(cut, out _), $"payload {payload}");
        }
    }

    [Fact]
    public void Walking_does_not_allocate()
    {
        byte[] packet = Hex.Bytes(FiveHeaderChain);
        Ipv6ExtensionWalker.TryWalk(packet, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int sum = 0;
        for (int i = 0; i < 1000; i++)
        {
            Ipv6ExtensionWalker.TryWalk(packet, out var chain);
            sum += chain.UpperLayerOffset;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(112_000, sum);
    }

    /// <summary>A packet whose fixed header is followed by <paramref name="count"/> empty Destination Options headers and 8 bytes of UDP.</summary>
    private static byte[] DestinationOptionsChain(int count)
    {
        var packet = new byte[40 + (count * 8) + 8];
        Hex.Bytes("60 00 00 00 00 00 3c 40 " + Addresses).CopyTo(packet, 0);
        packet[4] = (byte)(((count * 8) + 8) >> 8);
        packet[5] = (byte)((count * 8) + 8);
        for (int i = 0; i < count; i++)
        {
            int at = 40 + (i * 8);
            packet[at] = i == count - 1 ? IpProtocol.Udp : IpProtocol.DestinationOptions;
            packet[at + 2] = 1; // PadN, 4 bytes of padding: a well-formed empty options header.
            packet[at + 3] = 4;
        }

        packet[^4] = 0;
        packet[^3] = 8;
        return packet;
    }
}
