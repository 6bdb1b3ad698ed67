namespace Dataplane.Forwarding.Counters;

/// <summary>
/// Things stages did that are not the packet's final fate but that an operator wants counted per stage:
/// encapsulations, decapsulations, replies generated, entries learned. Counted per worker like drops.
/// </summary>
public enum ForwardingEvent : byte
{
    None = 0,

    /// <summary>Native packets forwarded by the routing stage (TTL/hop limit decremented, Ethernet rewritten).</summary>
    Routed,

    // LISP stages (ITR/ETR/PxTR/RTR) add their events here.

    // VXLAN VTEP stage adds its events here.

    // GTP-U endpoint stage adds its events here.

    /// <summary>A G-PDU to one of our tunnels was stripped to its inner packet (TS 29.281 section 4.3).</summary>
    GtpUDecapsulated,

    /// <summary>A native packet to a tunnel's UE address was sent into the tunnel as a G-PDU.</summary>
    GtpUEncapsulated,

    /// <summary>An Echo Request to one of our addresses was answered with an Echo Response (TS 29.281 section 7.2.2).</summary>
    GtpUEchoReplied,

    /// <summary>A GTP-U signalling message to us (Error Indication, End Marker, Echo Response ...) was handed to the control plane.</summary>
    GtpUPunted,
}
