namespace Dataplane.Wire.Tunnels;

/// <summary>What follows the NSH (RFC 8300 section 11.2.5, the NSH Next Protocol registry).</summary>
public enum NshNextProtocol : byte
{
    Ipv4 = 1,
    Ipv6 = 2,
    Ethernet = 3,
    Nsh = 4,
    Mpls = 5,
}
