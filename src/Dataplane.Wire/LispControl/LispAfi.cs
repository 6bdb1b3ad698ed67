namespace Dataplane.Wire.LispControl;

/// <summary>The address family numbers the codecs understand (IANA; 16387 is the LISP Canonical Address Format, RFC 8060).</summary>
public enum LispAfi : ushort
{
    None = 0,
    Ipv4 = 1,
    Ipv6 = 2,
    Lcaf = 16387,
}
