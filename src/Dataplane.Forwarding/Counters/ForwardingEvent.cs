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

    /// <summary>ITR/PITR/RTR: a packet left inside a LISP tunnel (counted for re-encapsulations too).</summary>
    LispEncapsulated,

    /// <summary>RTR: a packet that came out of a LISP tunnel was encapsulated again.</summary>
    LispReencapsulated,

    /// <summary>ITR: no map-cache entry for the destination; punted so the control plane sends a Map-Request.</summary>
    MapCacheMissPunted,

    /// <summary>ITR: the map-cache entry had expired; punted so the control plane refreshes it.</summary>
    MapCacheExpiredPunted,

    /// <summary>ITR: a negative entry with action send-map-request; punted.</summary>
    NegativeEntryMapRequestPunted,

    /// <summary>ITR: a negative entry with action native-forward or no-action; left to native routing.</summary>
    NegativeEntryNativelyForwarded,

    /// <summary>ITR: a packet too big for the tunnel was turned into ICMP fragmentation-needed / packet-too-big.</summary>
    IcmpTooBigSent,

    // VXLAN VTEP stage adds its events here.

    // GTP-U endpoint stage adds its events here.
}
