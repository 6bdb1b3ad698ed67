namespace Dataplane.Wire.Addresses;

/// <summary>
/// Address family of an <see cref="IpAddress"/>. The values are the IANA Address Family Numbers that LISP
/// carries on the wire (AFI 1 = IPv4, AFI 2 = IPv6), so a control-plane codec can cast instead of map.
/// </summary>
public enum IpFamily : byte
{
    /// <summary>The default value: no address (an uninitialised struct).</summary>
    Unspecified = 0,
    V4 = 1,
    V6 = 2,
}
