namespace Dataplane.Wire.Headers;

/// <summary>
/// IANA "Assigned Internet Protocol Numbers": the IPv4 Protocol field and the IPv6 Next Header field share
/// one registry, so the IPv6 extension headers live here too.
/// </summary>
public static class IpProtocol
{
    public const byte HopByHopOptions = 0;
    public const byte Icmp = 1;
    public const byte Igmp = 2;
    public const byte IpInIp = 4;
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte Ipv6 = 41;
    public const byte Routing = 43;
    public const byte Fragment = 44;
    public const byte Gre = 47;
    public const byte Esp = 50;
    public const byte AuthenticationHeader = 51;
    public const byte Icmpv6 = 58;
    public const byte NoNextHeader = 59;
    public const byte DestinationOptions = 60;
    public const byte Sctp = 132;
}
