using Dataplane.Wire.Headers;

namespace Dataplane.Tests.Wire.Headers;

public class VlanTagTests
{
    // Hand-decoded 802.1Q TCI values: 0x2064 = 001 0 0000_0110_0100 -> PCP 1, DEI 0, VID 100;
    // 0x30c8 = 001 1 0000_1100_1000 -> PCP 1, DEI 1, VID 200; 0xa064 = 101 0 ... -> PCP 5, VID 100.
    private const string Untagged = "ff ff ff ff ff ff 02 00 00 00 00 01 08 00 45";
    private const string Dot1Q = "ff ff ff ff ff ff 02 00 00 00 00 01 81 00 20 64 08 00 45";
    private const string QinQ = "ff ff ff ff ff ff 02 00 00 00 00 01 88 a8 a0 64 81 00 30 c8 86 dd 60";
    private const string TripleTag = "ff ff ff ff ff ff 02 00 00 00 00 01 88 a8 a0 64 81 00 30 c8 81 00 00 01 08 00 45";

    [Fact]
    public void Reads_pcp_dei_vid_and_inner_ether_type()
    {
        byte[] frame = Hex.Bytes(QinQ);
        Assert.True(VlanTag.TryCreate(frame.AsSpan(14), out var outer));
        Assert.Equal(5, outer.PriorityCodePoint);
        Assert.False(outer.DropEligible);
        Assert.Equal(100, outer.VlanId);
        Assert.Equal(EtherType.Vlan, outer.EtherType);
        Assert.Equal(0xa064, outer.Tci);
        Assert.Equal(4, outer.HeaderLength);

        Assert.True(VlanTag.TryCreate(outer.Payload, out var inner));
        Assert.Equal(1, inner.PriorityCodePoint);
        Assert.True(inner.DropEligible);
        Assert.Equal(200, inner.VlanId);
        Assert.Equal(EtherType.Ipv6, inner.EtherType);
    }

    [Fact]
    public void Setters_write_the_expected_bytes_and_keep_the_other_fields()
    {
        var buffer = new byte[4];
        Assert.True(VlanTag.TryCreateForWrite(buffer, out var tag));
        tag.PriorityCodePoint = 5;
        tag.DropEligible = true;
        tag.VlanId = 0xABC;
        tag.EtherType = EtherType.Ipv4;

        // 101 1 1010_1011_1100 = 0xbabc, then 08 00.
        Assert.Equal(Hex.Bytes("ba bc 08 00"), buffer);

        tag.VlanId = 0xFFFF;
        Assert.Equal(0xFFF, tag.VlanId);
        Assert.Equal(5, tag.PriorityCodePoint);
        Assert.True(tag.DropEligible);

        tag.PriorityCodePoint = 0xFF;
        Assert.Equal(7, tag.PriorityCodePoint);
        tag.DropEligible = false;
        Assert.Equal(0xEFFF, tag.Tci);

        tag.Tci = 0x2064;
        Assert.Equal(Hex.Bytes("20 64 08 00"), buffer);
    }

    [Fact]
    public void Refuses_fewer_than_four_bytes() => Assert.False(VlanTag.TryCreate(new byte[3], out _));

    [Fact]
    public void Walker_finds_l3_after_zero_one_and_two_tags()
    {
        Assert.True(EthernetTagWalker.TryWalk(Hex.Bytes(Untagged), out var plain));
        Assert.Equal(new EthernetLayout(14, EtherType.Ipv4, 0, 0, 0), plain);

        Assert.True(EthernetTagWalker.TryWalk(Hex.Bytes(Dot1Q), out var single));
        Assert.Equal(new EthernetLayout(18, EtherType.Ipv4, 1, 100, 0), single);

        Assert.True(EthernetTagWalker.TryWalk(Hex.Bytes(QinQ), out var stacked));
        Assert.Equal(new EthernetLayout(22, EtherType.Ipv6, 2, 100, 200), stacked);
    }

    [Fact]
    public void Walker_refuses_a_third_tag() => Assert.False(EthernetTagWalker.TryWalk(Hex.Bytes(TripleTag), out _));

    [Fact]
    public void Walker_refuses_every_truncation_inside_the_tags_and_accepts_an_empty_l3()
    {
        byte[] frame = Hex.Bytes(QinQ);
        for (int length = 0; length < 22; length++)
        {
            Assert.False(EthernetTagWalker.TryWalk(frame.AsSpan(0, length), out _));
        }

        Assert.True(EthernetTagWalker.TryWalk(frame.AsSpan(0, 22), out var layout));
        Assert.Equal(22, layout.L3Offset);
    }
}
