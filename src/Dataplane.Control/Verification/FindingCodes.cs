namespace Dataplane.Control.Verification;

/// <summary>The codes a finding carries (docs/verify.md has the table); scripts match on them, so they never change.</summary>
public static class FindingCodes
{
    /// <summary>A local EID prefix has no route in its instance, or its route cannot reach a neighbour.</summary>
    public const string UnreachableEid = "unreachable-eid";

    /// <summary>A TOF application address has no route in instance 0, or its route cannot reach a neighbour.</summary>
    public const string UnreachableApplication = "unreachable-application";

    /// <summary>An RLOC of a map-cache entry is not reachable in the underlay (instance 0).</summary>
    public const string UnreachableRloc = "unreachable-rloc";

    /// <summary>A remote VTEP of a bridge domain or L3 VNI route is not reachable in the underlay.</summary>
    public const string UnreachableVtep = "unreachable-vtep";

    /// <summary>A GTP-U peer (tunnel peer, TOF eNB or SGW address) is not reachable in the underlay.</summary>
    public const string UnreachableGtpUPeer = "unreachable-gtpu-peer";

    /// <summary>A map-server or map-resolver is not reachable in the underlay.</summary>
    public const string UnreachableMappingSystem = "unreachable-map-server";

    /// <summary>An NSH service function reached over VXLAN-GPE is not reachable in the underlay.</summary>
    public const string UnreachableServiceFunction = "unreachable-service-function";

    /// <summary>A next hop has no static neighbour: ARP / ND will have to find it at run time (warning).</summary>
    public const string NeighbourResolvedAtRunTime = "neighbour-by-arp";

    /// <summary>A static neighbour sits on another port than the route that uses it leaves by.</summary>
    public const string NeighbourOnOtherPort = "neighbour-on-other-port";

    /// <summary>Routes whose next hops resolve through each other, or a route whose next hop is one of our own addresses.</summary>
    public const string RouteLoop = "route-loop";

    /// <summary>A route's next hop is itself routed through another gateway: it is not on the link, and next hops are not resolved recursively.</summary>
    public const string NextHopNotOnLink = "next-hop-not-on-link";

    /// <summary>Two routes for one prefix: the later one replaces the earlier.</summary>
    public const string DuplicateRoute = "duplicate-route";

    /// <summary>A traffic rule every packet of which a higher-priority rule (or several together) takes first.</summary>
    public const string ShadowedRule = "shadowed-rule";

    /// <summary>A traffic rule no packet can match (source and destination of different families, ICMP with ports).</summary>
    public const string RuleNeverMatches = "rule-never-matches";

    /// <summary>A TOF application address whose route leaves by another port than <c>tof.appsPort</c>.</summary>
    public const string AppNotViaAppsPort = "app-not-via-apps-port";

    /// <summary>A journal or snapshot entry of the state directory that does not apply to this configuration.</summary>
    public const string StateEntryNotApplied = "state-entry-not-applied";
}
