using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tables;

public class MapCacheEidPrefixTests
{
    [Theory]
    [InlineData("10.0.0.0/8", 0u, "10.0.0.0", 8)]
    [InlineData("[7]10.0.0.0/8", 7u, "10.0.0.0", 8)]
    [InlineData("[16777215]192.0.2.1/32", 16777215u, "192.0.2.1", 32)]
    [InlineData("2001:db8::/32", 0u, "2001:db8::", 32)]
    [InlineData("[42]2001:db8:1::/48", 42u, "2001:db8:1::", 48)]
    [InlineData("0.0.0.0/0", 0u, "0.0.0.0", 0)]
    [InlineData("::/0", 0u, "::", 0)]
    public void Parses_and_formats_round_trip(string text, uint instanceId, string address, int length)
    {
        Assert.True(EidPrefix.TryParse(text, out var prefix));
        Assert.Equal(instanceId, prefix.InstanceId);
        Assert.Equal(IpAddress.Parse(address), prefix.Address);
        Assert.Equal(length, prefix.PrefixLength);
        Assert.Equal(text, prefix.ToString());
        Span<char> buffer = stackalloc char[64];
        Assert.True(prefix.TryFormat(buffer, out int written));
        Assert.Equal(text, buffer[..written].ToString());
    }

    [Fact]
    public void Instance_zero_in_brackets_formats_without_them() =>
        Assert.Equal("10.0.0.0/8", EidPrefix.Parse("[0]10.0.0.0/8").ToString());

    [Theory]
    [InlineData("")]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0/33")]
    [InlineData("2001:db8::/129")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.0/+8")]
    [InlineData("10.1.0.0/8")]
    [InlineData("2001:db8::1/64")]
    [InlineData("[16777216]10.0.0.0/8")]
    [InlineData("[]10.0.0.0/8")]
    [InlineData("[7 10.0.0.0/8")]
    [InlineData("[-1]10.0.0.0/8")]
    [InlineData("[x]10.0.0.0/8")]
    [InlineData("foo/8")]
    [InlineData("10.0.0/8")]
    [InlineData(" 10.0.0.0/8")]
    public void Rejects_invalid_text(string text)
    {
        Assert.False(EidPrefix.TryParse(text, out _));
        Assert.Throws<FormatException>(() => EidPrefix.Parse(text));
    }

    [Fact]
    public void Create_masks_host_bits_so_equal_prefixes_compare_equal()
    {
        var fromCode = EidPrefix.Create(3, IpAddress.Parse("10.1.2.3"), 8);
        Assert.Equal(EidPrefix.Parse("[3]10.0.0.0/8"), fromCode);
        Assert.Equal(EidPrefix.Parse("[3]10.0.0.0/8").GetHashCode(), fromCode.GetHashCode());
        Assert.Equal("2001:db8::/32", EidPrefix.Create(0, IpAddress.Parse("2001:db8:ffff::1"), 32).ToString());
    }

    [Fact]
    public void Create_validates_its_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EidPrefix.Create(0x100_0000, IpAddress.Parse("10.0.0.0"), 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => EidPrefix.Create(0, IpAddress.Parse("10.0.0.0"), 33));
        Assert.Throws<ArgumentOutOfRangeException>(() => EidPrefix.Create(0, IpAddress.Parse("10.0.0.0"), -1));
        Assert.Throws<ArgumentException>(() => EidPrefix.Create(0, default, 0));
    }

    [Fact]
    public void Families_and_instances_are_distinct()
    {
        Assert.NotEqual(EidPrefix.Parse("0.0.0.0/0"), EidPrefix.Parse("::/0"));
        Assert.NotEqual(EidPrefix.Parse("[1]10.0.0.0/8"), EidPrefix.Parse("[2]10.0.0.0/8"));
        Assert.NotEqual(IpAddress.Parse("10.0.0.1"), IpAddress.Parse("::a00:1"));
    }

    [Fact]
    public void Contains_checks_instance_family_and_prefix()
    {
        var prefix = EidPrefix.Parse("[5]10.0.0.0/8");
        Assert.True(prefix.Contains(5, IpAddress.Parse("10.255.0.1")));
        Assert.False(prefix.Contains(5, IpAddress.Parse("11.0.0.1")));
        Assert.False(prefix.Contains(6, IpAddress.Parse("10.0.0.1")));
        Assert.False(prefix.Contains(5, IpAddress.Parse("::a00:1")));
        Assert.True(EidPrefix.Parse("::/0").Contains(0, IpAddress.Parse("2001:db8::1")));
        Assert.True(prefix.Covers(EidPrefix.Parse("[5]10.1.0.0/16")));
        Assert.False(EidPrefix.Parse("[5]10.1.0.0/16").Covers(prefix));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("1.2")]
    [InlineData("fe80::1%2")]
    [InlineData("")]
    public void IpAddress_rejects_partial_forms(string text) => Assert.False(IpAddress.TryParse(text, out _));
}
