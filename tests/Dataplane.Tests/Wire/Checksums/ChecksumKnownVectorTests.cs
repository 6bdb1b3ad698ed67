using System.Buffers.Binary;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;

namespace Dataplane.Tests.Wire.Checksums;

/// <summary>Sums whose expected values come from the RFCs or were worked out by hand (shown in the comments).</summary>
public class ChecksumKnownVectorTests
{
    [Fact]
    public void Rfc1071_section3_example_folds_to_ddf2()
    {
        // RFC 1071 section 3: 0001 + f203 + f4f5 + f6f7 = 2ddf0, folded ddf2.
        byte[] data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        Assert.Equal(0xddf2u, InternetChecksum.Sum(data));
        Assert.Equal(0xddf2u, VectorChecksum.Sum(data));
        Assert.Equal(0xddf2u, WideScalarChecksum.Sum(data));
        Assert.Equal(0xddf2u, ScalarChecksum.Sum(data));
    }

    [Fact]
    public void Ipv4_header_example_has_checksum_b861()
    {
        // The classic example header (192.168.0.1 -> 192.168.0.199, UDP, TTL 64): its checksum field holds b861.
        byte[] header = [0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7];
        Assert.True(InternetChecksum.IsValid(header));

        header[10] = 0;
        header[11] = 0;
        Assert.Equal((ushort)0xb861, InternetChecksum.Compute(header));
    }

    [Fact]
    public void Udp_over_ipv4_checksum_matches_hand_computation()
    {
        // 192.0.2.1:1234 -> 198.51.100.2:4341, payload "hi", UDP length 10.
        // Pseudo-header: c000+0201+c633+6402+0011+000a; UDP: 04d2+10f5+000a+0000+6869.
        // Total 0x26a8b, folded 0x6a8d, complement 0x9572.
        byte[] udp = [0x04, 0xd2, 0x10, 0xf5, 0x00, 0x0a, 0x00, 0x00, (byte)'h', (byte)'i'];
        uint pseudo = InternetChecksum.PseudoHeaderSum(new Ipv4Address(192, 0, 2, 1), new Ipv4Address(198, 51, 100, 2), 17, udp.Length);
        Assert.Equal((ushort)0x9572, InternetChecksum.Finish(InternetChecksum.Sum(udp, pseudo)));

        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(6), 0x9572);
        Assert.True(InternetChecksum.IsValid(udp, pseudo));
    }

    [Fact]
    public void Udp_over_ipv6_checksum_matches_hand_computation()
    {
        // 2001:db8::1:1234 -> 2001:db8::2:4789, payload "hi", UDP length 10.
        // Pseudo-header: (2001+0db8+0001) + (2001+0db8+0002) + 000a + 0011 = 5b90; UDP: 04d2+12b5+000a+6869 = 7ffa.
        // Total 0xdb8a (no carry), complement 0x2475.
        byte[] udp = [0x04, 0xd2, 0x12, 0xb5, 0x00, 0x0a, 0x00, 0x00, (byte)'h', (byte)'i'];
        uint pseudo = InternetChecksum.PseudoHeaderSum(Ipv6Address.Parse("2001:db8::1"), Ipv6Address.Parse("2001:db8::2"), 17, udp.Length);
        Assert.Equal((ushort)0x2475, InternetChecksum.Finish(InternetChecksum.Sum(udp, pseudo)));
    }

    [Fact]
    public void Long_udp_over_ipv6_matches_an_independent_modulo_algorithm()
    {
        // A one's-complement sum of non-zero data equals ((S - 1) mod 0xFFFF) + 1 for the plain integer sum S of the
        // words: an algorithm that shares nothing with the code under test. 1401 bytes: long enough for the vector path, odd.
        var payload = ChecksumPathEquivalenceTests.RandomBytes(1393, seed: 6);
        var udp = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), 2152);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        payload.CopyTo(udp, 8);

        var source = Ipv6Address.Parse("2001:db8:1::10");
        var destination = Ipv6Address.Parse("2001:db8:2::20");
        var pseudo = new byte[40];
        source.Write(pseudo);
        destination.Write(pseudo.AsSpan(16));
        BinaryPrimitives.WriteUInt32BigEndian(pseudo.AsSpan(32), (uint)udp.Length);
        pseudo[39] = 17;

        ushort expected = IndependentChecksum([.. pseudo, .. udp]);
        uint pseudoSum = InternetChecksum.PseudoHeaderSum(source, destination, 17, udp.Length);
        Assert.Equal(expected, InternetChecksum.Finish(InternetChecksum.Sum(udp, pseudoSum)));
    }

    [Fact]
    public void Long_udp_over_ipv4_matches_an_independent_modulo_algorithm()
    {
        var udp = ChecksumPathEquivalenceTests.RandomBytes(999, seed: 4);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        udp[6] = 0;
        udp[7] = 0;
        byte[] pseudo = [10, 0, 0, 1, 10, 0, 0, 2, 0, 17, (byte)(udp.Length >> 8), (byte)udp.Length];

        ushort expected = IndependentChecksum([.. pseudo, .. udp]);
        uint pseudoSum = InternetChecksum.PseudoHeaderSum(new Ipv4Address(10, 0, 0, 1), new Ipv4Address(10, 0, 0, 2), 17, udp.Length);
        Assert.Equal(expected, InternetChecksum.Finish(InternetChecksum.Sum(udp, pseudoSum)));
    }

    private static ushort IndependentChecksum(byte[] data)
    {
        long total = 0;
        for (int i = 0; i < data.Length; i += 2)
        {
            total += (data[i] << 8) | (i + 1 < data.Length ? data[i + 1] : 0);
        }

        long ones = total == 0 ? 0 : ((total - 1) % 0xFFFF) + 1;
        return (ushort)~ones;
    }
}
