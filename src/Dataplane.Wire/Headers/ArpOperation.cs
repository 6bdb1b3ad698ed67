namespace Dataplane.Wire.Headers;

/// <summary>ARP opcodes (RFC 826) and the hardware type for Ethernet.</summary>
public static class ArpOperation
{
    public const ushort Request = 1;
    public const ushort Reply = 2;

    /// <summary>The htype value for Ethernet (IANA ARP "Hardware Types").</summary>
    public const ushort HardwareTypeEthernet = 1;
}
