using System.Net;
using System.Net.NetworkInformation;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Wire.Headers;

/// <summary>Conversions between our address values and the BCL types PacketDotNet speaks.</summary>
internal static class Bcl
{
    public static MacAddress Mac(PhysicalAddress address) => MacAddress.Read(address.GetAddressBytes());

    public static PhysicalAddress Physical(MacAddress address)
    {
        var bytes = new byte[MacAddress.Size];
        address.Write(bytes);
        return new PhysicalAddress(bytes);
    }

    public static Ipv4Address V4(IPAddress address) => Ipv4Address.Read(address.GetAddressBytes());

    public static Ipv6Address V6(IPAddress address) => Ipv6Address.Read(address.GetAddressBytes());

    public static IPAddress Ip(Ipv4Address address)
    {
        var bytes = new byte[Ipv4Address.Size];
        address.Write(bytes);
        return new IPAddress(bytes);
    }

    public static IPAddress Ip(Ipv6Address address)
    {
        var bytes = new byte[Ipv6Address.Size];
        address.Write(bytes);
        return new IPAddress(bytes);
    }

    public static MacAddress RandomMac(Random random) => new((ulong)random.NextInt64(0, 1L << 48) & 0xFEFF_FFFF_FFFFUL);

    public static Ipv4Address RandomV4(Random random) => new((uint)random.NextInt64(1, uint.MaxValue));

    public static Ipv6Address RandomV6(Random random) => new(0x2001_0db8_0000_0000UL | (ulong)random.NextInt64(0, uint.MaxValue), (ulong)random.NextInt64());
}
