using Dataplane.Wire.Tunnels;

namespace Dataplane.Tests.Wire.Tunnels;

/// <summary>Byte vectors laid out by hand from the RFC 9300 section 5.1 figure.</summary>
public class LispDataHeaderTests
{
    // RFC 9300 section 5.1, bit 0 is the most significant bit of the first octet:
    //   |N|L|E|V|I|R|K|K|            Nonce/Map-Version                  |
    //   |                 Instance ID/Locator-Status-Bits               |
    // N = bit 0 = 0x80, I = bit 4 = 0x08, so N+I = 0x88; nonce 0xABCDEF fills octets 1-3;
    // with I set the second word is Instance ID (24 bits, octets 4-6 = 00 00 07) and 8 LSBs (octet 7 = 00).
    private static readonly byte[] NonceAndInstanceId = [0x88, 0xAB, 0xCD, 0xEF, 0x00, 0x00, 0x07, 0x00];

    [Fact]
    public void Reads_nonce_and_instance_id_from_rfc_layout()
    {
        var bytes = NonceAndInstanceId.ToArray();
        Assert.True(LispDataHeader.TryCreate(bytes, out var header));
        Assert.True(header.NoncePresent);
        Assert.False(header.LocatorStatusBitsEnabled);
        Assert.False(header.EchoNonceRequest);
        Assert.False(header.MapVersionPresent);
        Assert.True(header.InstanceIdPresent);
        Assert.Equal(0, header.ReservedFlags);
        Assert.Equal(0xABCDEFu, header.Nonce);
        Assert.Equal(7u, header.InstanceId);
        Assert.Equal(0u, header.LocatorStatusBits);
        Assert.Equal(8, header.HeaderLength);
        Assert.True(header.Payload.IsEmpty);
    }

    [Fact]
    public void Setters_build_the_same_bytes()
    {
        var bytes = new byte[8];
        Assert.True(LispDataHeader.TryCreateForWrite(bytes, out var header));
        header.NoncePresent = true;
        header.InstanceIdPresent = true;
        header.Nonce = 0xABCDEF;
        header.InstanceId = 7;
        Assert.Equal(NonceAndInstanceId, bytes);
    }

    [Fact]
    public void Locator_status_bits_use_the_whole_word_without_instance_id()
    {
        // L = bit 1 = 0x40; with I clear the second word is 32 locator-status-bits (here locators 0 and 1 up).
        byte[] expected = [0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03];
        var bytes = new byte[8];
        LispDataHeader.TryCreateForWrite(bytes, out var header);
        header.LocatorStatusBitsEnabled = true;
        header.LocatorStatusBits = 3;
        Assert.Equal(expected, bytes);
        Assert.Equal(3u, header.LocatorStatusBits);
    }

    [Fact]
    public void Locator_status_bits_shrink_to_one_octet_with_instance_id()
    {
        // L + I = 0x48; IID 0x123456 in octets 4-6, LSBs 0x81 in octet 7.
        byte[] expected = [0x48, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x81];
        var bytes = new byte[8];
        LispDataHeader.TryCreateForWrite(bytes, out var header);
        header.LocatorStatusBitsEnabled = true;
        header.InstanceIdPresent = true;
        header.InstanceId = 0x123456;
        header.LocatorStatusBits = 0x81;
        Assert.Equal(expected, bytes);
        Assert.Equal(0x81u, header.LocatorStatusBits);
        Assert.Equal(0x123456u, header.InstanceId);
    }

    [Fact]
    public void Map_versions_split_the_nonce_field_source_first()
    {
        // V = bit 3 = 0x10; Source Map-Version 0xABC in bits 8-19, Dest Map-Version 0x123 in bits 20-31.
        byte[] expected = [0x10, 0xAB, 0xC1, 0x23, 0x00, 0x00, 0x00, 0x00];
        var bytes = new byte[8];
        LispDataHeader.TryCreateForWrite(bytes, out var header);
        header.MapVersionPresent = true;
        header.SourceMapVersion = 0xABC;
        header.DestinationMapVersion = 0x123;
        Assert.Equal(expected, bytes);
        Assert.True(header.HasMapVersions);
        Assert.Equal(0xABC, header.SourceMapVersion);
        Assert.Equal(0x123, header.DestinationMapVersion);
    }

    [Fact]
    public void N_and_v_together_means_nonce()
    {
        // RFC 9300: N and V must not both be set; if they are, the field is read as a nonce.
        byte[] bytes = [0x90, 0x01, 0x02, 0x03, 0, 0, 0, 0];
        Assert.True(LispDataHeader.TryCreate(bytes, out var header));
        Assert.False(header.HasMapVersions);
        Assert.Equal(0x010203u, header.Nonce);
    }

    [Fact]
    public void Echo_nonce_and_reserved_bits_round_trip()
    {
        // N + E = 0xA0, R and KK = the low three bits (0x07).
        byte[] bytes = [0xA7, 0, 0, 1, 0, 0, 0, 0];
        Assert.True(LispDataHeader.TryCreate(bytes, out var header));
        Assert.True(header.EchoNonceRequest);
        Assert.Equal(7, header.ReservedFlags);
        header.ReservedFlags = 0;
        header.EchoNonceRequest = false;
        Assert.Equal(0x80, bytes[0]);
        Assert.Equal(0x80, header.Flags);
    }

    [Fact]
    public void Setters_drop_bits_the_field_cannot_hold()
    {
        var bytes = new byte[8];
        LispDataHeader.TryCreateForWrite(bytes, out var header);
        header.Nonce = 0xFF_ABCDEF;
        header.InstanceId = 0xFF_000001;
        header.SourceMapVersion = 0xF123;
        Assert.Equal(new byte[] { 0x00, 0x12, 0x3D, 0xEF, 0x00, 0x00, 0x01, 0x00 }, bytes);
    }

    [Fact]
    public void Payload_follows_the_eight_bytes_and_ports_are_iana()
    {
        byte[] bytes = [.. NonceAndInstanceId, 0x45, 0x00];
        LispDataHeader.TryCreate(bytes, out var header);
        Assert.Equal(new byte[] { 0x45, 0x00 }, header.Payload.ToArray());
        Assert.Equal(4341, LispDataHeader.DataPort);
        Assert.Equal(4342, LispDataHeader.ControlPort);
    }
}
