namespace Dataplane.Wire.Ipfix;

/// <summary>
/// One field of a template (RFC 7011 section 3.2): an Information Element identifier, the length its values take in
/// a data record, and for an enterprise-specific element (the E bit) the IANA Private Enterprise Number that defines it.
/// </summary>
public readonly record struct IpfixFieldSpecifier(ushort ElementId, ushort Length, uint EnterpriseNumber = 0)
{
    /// <summary>The octets the specifier takes in a template record: 4, or 8 with an enterprise number.</summary>
    public int EncodedLength => EnterpriseNumber == 0 ? 4 : 8;
}
