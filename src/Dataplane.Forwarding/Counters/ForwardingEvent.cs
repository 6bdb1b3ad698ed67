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

    /// <summary>LISP data packets to one of our RLOCs stripped to their inner packet (ETR/PETR/RTR).</summary>
    LispDecapsulated,

    /// <summary>LISP control messages (UDP 4342) to one of our addresses handed to the control plane.</summary>
    LispControlPunted,

    /// <summary>LISP control messages not addressed to us, left to native routing (we are not their map-server or ETR).</summary>
    LispControlRouted,

    // VXLAN VTEP stage adds its events here.

    // GTP-U endpoint stage adds its events here.
}
