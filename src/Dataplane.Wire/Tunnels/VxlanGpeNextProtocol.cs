namespace Dataplane.Wire.Tunnels;

/// <summary>What follows a VXLAN-GPE header (draft-ietf-nvo3-vxlan-gpe, Next Protocol registry).</summary>
public enum VxlanGpeNextProtocol : byte
{
    Ipv4 = 1,
    Ipv6 = 2,
    Ethernet = 3,
    Nsh = 4,
}
