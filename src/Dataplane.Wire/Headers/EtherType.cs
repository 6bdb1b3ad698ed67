namespace Dataplane.Wire.Headers;

/// <summary>EtherType values (IEEE 802 numbers, as registered with the IEEE RA) the data plane dispatches on.</summary>
public static class EtherType
{
    public const ushort Ipv4 = 0x0800;
    public const ushort Arp = 0x0806;

    /// <summary>802.1Q customer tag (C-tag) TPID.</summary>
    public const ushort Vlan = 0x8100;

    public const ushort Ipv6 = 0x86DD;
    public const ushort MplsUnicast = 0x8847;

    /// <summary>802.1ad service tag (S-tag) TPID, the outer tag of QinQ.</summary>
    public const ushort QinQ = 0x88A8;

    /// <summary>Pre-standard QinQ TPID still emitted by some switches; accepted as a tag when walking.</summary>
    public const ushort LegacyQinQ = 0x9100;

    /// <summary>True for the TPIDs that introduce a 4-byte VLAN tag rather than a payload.</summary>
    public static bool IsVlanTag(ushort etherType) => etherType is Vlan or QinQ or LegacyQinQ;
}
