namespace Dataplane.Wire.Tunnels;

/// <summary>The IANA-assigned UDP destination ports that announce each tunnel (the source port carries flow entropy).</summary>
public static class TunnelPorts
{
    /// <summary>LISP encapsulated data (RFC 9300 section 5.3).</summary>
    public const ushort LispData = 4341;

    /// <summary>LISP control messages (RFC 9301).</summary>
    public const ushort LispControl = 4342;

    /// <summary>VXLAN (RFC 7348 section 5).</summary>
    public const ushort Vxlan = 4789;

    /// <summary>VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe).</summary>
    public const ushort VxlanGpe = 4790;

    /// <summary>GTP-U (3GPP TS 29.281 section 4.4.2).</summary>
    public const ushort GtpU = 2152;

    /// <summary>GTP-C (3GPP TS 29.274); listed so classifiers can recognise and punt it, not parsed here.</summary>
    public const ushort GtpC = 2123;
}
