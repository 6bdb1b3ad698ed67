using Dataplane.Tests.Oracles;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Tests.Nsh;

/// <summary>RFC 8300 section 2 layouts decoded by hand, then Scapy's scapy.contrib.nsh as the oracle both ways.</summary>
public class NshHeaderTests
{
    [Fact]
    public void Reads_rfc8300_md_type_1_layout()
    {
        // Ver 00, O 0, U 0, TTL 63 (111111), Length 6 (000110): 0x0F 0xC6; MD type 1: 0x01; Next Protocol IPv4: 0x01;
        // SPI 0x00000A, SI 0xFF; 16 bytes of context; then the inner packet (0x45).
        byte[] bytes = [0x0F, 0xC6, 0x01, 0x01, 0x00, 0x00, 0x0A, 0xFF, .. new byte[16], 0x45];
        Assert.True(NshHeader.TryCreate(bytes, out var header));
        Assert.Equal(0, header.Version);
        Assert.False(header.Oam);
        Assert.Equal(63, header.Ttl);
        Assert.Equal(6, header.LengthWords);
        Assert.Equal(24, header.HeaderLength);
        Assert.Equal(1, header.MdType);
        Assert.Equal(NshNextProtocol.Ipv4, header.NextProtocol);
        Assert.Equal(10u, header.ServicePathIdentifier);
        Assert.Equal(255, header.ServiceIndex);
        Assert.Equal(16, header.Context.Length);
        Assert.Equal(new byte[] { 0x45 }, header.Payload.ToArray());
        Assert.True(header.IsWellFormed);
    }

    [Fact]
    public void Ttl_spans_two_octets_and_setting_it_leaves_the_neighbours_alone()
    {
        // O set (0x20), TTL 0b000001 split as 0b0000 in octet 0 and 0b01 at the top of octet 1, Length 2.
        byte[] bytes = [0x20, 0x42, 0x02, 0x03, 0xAB, 0xCD, 0xEF, 0x07];
        Assert.True(NshHeader.TryCreate(bytes, out var header));
        Assert.True(header.Oam);
        Assert.Equal(1, header.Ttl);
        Assert.Equal(2, header.LengthWords);
        Assert.Equal(0xABCDEFu, header.ServicePathIdentifier);
        header.Ttl = 0b101010;
        Assert.Equal(new byte[] { 0x2A, 0x82 }, bytes[..2]);
        Assert.True(header.Oam);
        Assert.Equal(2, header.LengthWords);
    }

    [Theory]
    [InlineData(new byte[] { 0x0F, 0xC2, 0x02, 0x01, 0, 0, 1 }, false)] // 7 bytes: shorter than the fixed headers
    [InlineData(new byte[] { 0x0F, 0xC1, 0x02, 0x01, 0, 0, 1, 0xFF }, false)] // Length 1: cannot hold them
    [InlineData(new byte[] { 0x0F, 0xC6, 0x01, 0x01, 0, 0, 1, 0xFF, 0, 0 }, false)] // Length 6 with 10 bytes
    [InlineData(new byte[] { 0x0F, 0xC2, 0x02, 0x01, 0, 0, 1, 0xFF }, true)] // MD type 2, Length 2: fine
    public void Refuses_a_length_the_buffer_cannot_hold(byte[] bytes, bool accepted)
    {
        Assert.Equal(accepted, NshHeader.TryCreate(bytes, out _));
    }

    [Theory]
    [InlineData("4FC2020100000AFF", false)] // version 1
    [InlineData("0FC2010100000AFF", false)] // MD type 1 with Length 2 (must be 6)
    [InlineData("0FC2000100000AFF", false)] // MD type 0 (reserved)
    [InlineData("0FC2020100000AFF", true)] // MD type 2, no context
    [InlineData("0FC4020100000AFF" + "0101" + "0204" + "DEADBEEF", true)] // MD type 2, one TLV of 4 bytes
    [InlineData("0FC4020100000AFF" + "0101" + "0205" + "DEADBEEF", false)] // a TLV of 5 bytes runs past the header
    [InlineData("0FC3020100000AFF" + "0101" + "0204", false)] // a TLV header without its value
    public void Well_formed_means_version_0_and_a_length_that_fits_the_md_type(string hex, bool wellFormed)
    {
        byte[] bytes = Convert.FromHexString(hex);
        Assert.True(NshHeader.TryCreate(bytes, out var header));
        Assert.Equal(wellFormed, header.IsWellFormed);
    }

    /// <summary>Scapy builds the headers; we must read every field it set, and write its exact bytes.</summary>
    [Theory]
    [InlineData(1, 63, 1, 10, 255, false)]
    [InlineData(1, 1, 3, 0xFFFFFF, 0, true)]
    [InlineData(2, 63, 2, 0x123456, 254, false)]
    [InlineData(2, 17, 5, 1, 1, true)]
    public void Agrees_with_scapy_both_ways(int mdType, int ttl, int nextProtocol, int spi, int si, bool oam)
    {
        string script = string.Join('\n',
            "from scapy.contrib.nsh import NSH",
            $"p = NSH(mdtype={mdType}, ttl={ttl}, nextproto={nextProtocol}, spi={spi}, si={si}, oam={(oam ? 1 : 0)})",
            "print(bytes(p).hex())");
        byte[] expected = Convert.FromHexString(ScapyOracle.Run("-c", script).Trim());
        Assert.Equal(mdType == 1 ? 24 : 8, expected.Length);

        Assert.True(NshHeader.TryCreate(expected, out var read));
        Assert.Equal(mdType, read.MdType);
        Assert.Equal(ttl, read.Ttl);
        Assert.Equal((NshNextProtocol)nextProtocol, read.NextProtocol);
        Assert.Equal((uint)spi, read.ServicePathIdentifier);
        Assert.Equal(si, read.ServiceIndex);
        Assert.Equal(oam, read.Oam);
        Assert.Equal(expected.Length, read.HeaderLength);
        Assert.True(read.IsWellFormed);

        var written = Enumerable.Repeat((byte)0xEE, expected.Length).ToArray();
        Assert.True(NshHeader.TryCreateForWrite(written, out var header));
        if (mdType == 1)
        {
            header.InitializeMdType1((byte)ttl, (NshNextProtocol)nextProtocol, (uint)spi, (byte)si);
        }
        else
        {
            header.InitializeMdType2((byte)ttl, (NshNextProtocol)nextProtocol, (uint)spi, (byte)si);
        }

        header.Oam = oam;
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(written));
    }
}
