namespace Dataplane.Wire.Ipfix;

/// <summary>flowEndReason values (IANA registry, element 136; RFC 5102 section 5.11.3).</summary>
public enum IpfixFlowEndReason : byte
{
    IdleTimeout = 0x01,
    ActiveTimeout = 0x02,
    EndOfFlow = 0x03,
    ForcedEnd = 0x04,
    LackOfResources = 0x05,
}
