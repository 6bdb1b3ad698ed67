using Dataplane.Tests.Oracles;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Tests.Wire.Tunnels;

/// <summary>RFC 7348 and draft-ietf-nvo3-vxlan-gpe figures by hand, then Scapy's VXLAN layer as the oracle.</summary>
public class VxlanHeaderTests
{
    [Fact]
    public void Vxlan_reads_rfc7348_layout()
    {
        // |R|R|R|R|I|R|R|R| = 0x08 (I is bit 4), 24 reserved bits, VNI 0x0012D6 (4822) in octets 4-6, reserved octet 7.
        byte[] bytes = [0x08, 0x00, 0x00, 0x00, 0x00, 0x12, 0xD6, 0x00, 0xAA];
        Assert.True(VxlanHeader.TryCreate(bytes, out var header));
        Assert.True(header.VniValid);
        Assert.Equal(4822u, header.Vni);
        Assert.Equal(0u, header.Reserved1);
        Assert.Equal(0, header.Reserved2);
        Assert.Equal(new byte[] { 0xAA }, header.Payload.ToArray());
        Assert.Equal(4789, VxlanHeader.UdpPort);
    }

    [Fact]
    public void Vxlan_initialize_writes_flags_and_vni_only()
    {
        var bytes = Enumerable.Repeat((byte)0xEE, 8).ToArray();
        Assert.True(VxlanHeader.TryCreateForWrite(bytes, out var header));
        header.Initialize(0xABCDEF);
        Assert.Equal(new byte[] { 0x08, 0, 0, 0, 0xAB, 0xCD, 0xEF, 0 }, bytes);
    }

    [Fact]
    public void Vxlan_gpe_reads_draft_layout()
    {
        // |R|R|Ver|I|P|B|O| : Ver 0, I (0x08) and P (0x04) = 0x0C; Next Protocol 3 (Ethernet) in octet 3; VNI 1.
        byte[] bytes = [0x0C, 0x00, 0x00, 0x03, 0x00, 0x00, 0x01, 0x00];
        Assert.True(VxlanGpeHeader.TryCreate(bytes, out var header));
        Assert.Equal(0, header.Version);
        Assert.True(header.VniValid);
        Assert.True(header.NextProtocolPresent);
        Assert.False(header.Bum);
        Assert.False(header.Oam);
        Assert.Equal(VxlanGpeNextProtocol.Ethernet, header.NextProtocol);
        Assert.Equal(1u, header.Vni);
        Assert.Equal(4790, VxlanGpeHeader.UdpPort);

        var built = new byte[8];
        VxlanGpeHeader.TryCreateForWrite(built, out var writer);
        writer.Initialize(1, VxlanGpeNextProtocol.Ethernet);
        Assert.Equal(bytes, built);
    }

    [Theory]
    [InlineData("vxlan_basic")]
    [InlineData("vxlan_reserved")]
    public void Vxlan_reads_what_scapy_built(string name)
    {
        var vector = ScapyTunnelVectors.Vector(name);
        var bytes = vector.Bytes;
        Assert.True(VxlanHeader.TryCreate(bytes, out var header));
        Assert.Equal(vector.Field("flags"), header.Flags);
        Assert.True(header.VniValid);
        Assert.Equal(vector.Field("vni"), header.Vni);
        Assert.Equal(vector.Field("reserved1"), header.Reserved1);
        Assert.Equal(vector.Field("reserved2"), header.Reserved2);
        Assert.Equal(vector.Payload, header.Payload.ToArray());
    }

    [Theory]
    [InlineData("vxlan_basic")]
    [InlineData("vxlan_reserved")]
    public void Vxlan_setters_write_what_scapy_writes(string name)
    {
        var vector = ScapyTunnelVectors.Vector(name);
        var bytes = new byte[VxlanHeader.Length];
        VxlanHeader.TryCreateForWrite(bytes, out var header);
        header.VniValid = true;
        header.Vni = vector.Field("vni");
        header.Reserved1 = vector.Field("reserved1");
        header.Reserved2 = (byte)vector.Field("reserved2");
        Assert.Equal(vector.Bytes[..VxlanHeader.Length], bytes);
    }

    [Theory]
    [InlineData("vxlan_gpe_ipv4")]
    [InlineData("vxlan_gpe_all_flags")]
    public void Vxlan_gpe_reads_what_scapy_built(string name)
    {
        var vector = ScapyTunnelVectors.Vector(name);
        var bytes = vector.Bytes;
        Assert.True(VxlanGpeHeader.TryCreate(bytes, out var header));
        uint flags = vector.Field("flags");
        Assert.Equal(flags, header.Flags);
        Assert.Equal(vector.Field("version"), header.Version);
        Assert.Equal((flags & 0x08) != 0, header.VniValid);
        Assert.Equal((flags & 0x04) != 0, header.NextProtocolPresent);
        Assert.Equal((flags & 0x02) != 0, header.Bum);
        Assert.Equal((flags & 0x01) != 0, header.Oam);
        Assert.Equal(vector.Field("nextProtocol"), (uint)header.NextProtocol);
        Assert.Equal(vector.Field("vni"), header.Vni);
        Assert.Equal(vector.Field("reserved1"), header.Reserved1);
        Assert.Equal(vector.Field("reserved2"), header.Reserved2);
        Assert.Equal(vector.Payload, header.Payload.ToArray());
    }

    [Theory]
    [InlineData("vxlan_gpe_ipv4")]
    [InlineData("vxlan_gpe_all_flags")]
    public void Vxlan_gpe_setters_write_what_scapy_writes(string name)
    {
        var vector = ScapyTunnelVectors.Vector(name);
        uint flags = vector.Field("flags");
        var bytes = new byte[VxlanGpeHeader.Length];
        VxlanGpeHeader.TryCreateForWrite(bytes, out var header);
        header.Version = (byte)vector.Field("version");
        header.VniValid = (flags & 0x08) != 0;
        header.NextProtocolPresent = (flags & 0x04) != 0;
        header.Bum = (flags & 0x02) != 0;
        header.Oam = (flags & 0x01) != 0;
        header.Reserved1 = (ushort)vector.Field("reserved1");
        header.NextProtocol = (VxlanGpeNextProtocol)vector.Field("nextProtocol");
        header.Vni = vector.Field("vni");
        header.Reserved2 = (byte)vector.Field("reserved2");
        Assert.Equal(vector.Bytes[..VxlanGpeHeader.Length], bytes);
    }
}
