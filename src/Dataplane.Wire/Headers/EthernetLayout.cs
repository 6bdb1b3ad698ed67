namespace Dataplane.Wire.Headers;

/// <summary>
/// Where the L3 packet starts in an Ethernet frame and what it is, after 0, 1 or 2 VLAN tags.
/// A plain struct so classification can keep it in the packet descriptor without allocating.
/// </summary>
public readonly record struct EthernetLayout(int L3Offset, ushort EtherType, int TagCount, ushort OuterVlanId, ushort InnerVlanId);
