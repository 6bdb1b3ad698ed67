using System.Collections.Frozen;
using Dataplane.Forwarding.Routing;
using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Verification;

/// <summary>A route of the FIB and the configuration element it came from.</summary>
public sealed record RouteFact(string Path, Route Route);

/// <summary>
/// A destination that must be reachable: an address (a peer, an application) or a whole prefix (a local EID), in an
/// instance, with the code its finding carries and the words that say what it is ("RLOC 192.0.2.7 of ...").
/// </summary>
public sealed record Destination(string Path, string Code, string What, EidPrefix Prefix)
{
    public bool IsHost => Prefix.PrefixLength == Prefix.Address.BitLength;

    public static Destination Host(string path, string code, string what, IpAddress address, uint instanceId = 0) =>
        new(path, code, what, EidPrefix.Host(instanceId, address));
}

/// <summary>A TOF service's application, which must be routed out of the Apps port.</summary>
public sealed record ApplicationFact(string Path, string Service, IpAddress Address);

/// <summary>
/// The forwarding state <c>dataplane verify</c> checks: the tables <c>dataplane run</c> would start with (built from the
/// configuration by the same builder, with the state directory's entries over them), and where each element came from.
/// </summary>
public sealed class NetworkView
{
    private Dictionary<EidPrefix, string>? routePaths;

    public required PortTable Ports { get; init; }

    public required Fib Fib { get; init; }

    /// <summary>The FIB's routes (one per prefix: a later route for the same prefix replaced the earlier).</summary>
    public required IReadOnlyList<RouteFact> Routes { get; init; }

    /// <summary>Routes of the configuration replaced by a later one for the same prefix.</summary>
    public IReadOnlyList<(RouteFact Replaced, RouteFact By)> ReplacedRoutes { get; init; } = [];

    public required FrozenDictionary<IpAddress, Neighbour> Neighbours { get; init; }

    public required IReadOnlySet<IpAddress> LocalAddresses { get; init; }

    /// <summary>Local EIDs (in their instance), RLOCs, VTEPs, GTP-U peers, mapping-system addresses, applications.</summary>
    public IReadOnlyList<Destination> Destinations { get; init; } = [];

    public IReadOnlyList<ApplicationFact> Applications { get; init; } = [];

    /// <summary>The TOF's Apps port; null without role tof.</summary>
    public ushort? AppsPort { get; init; }

    public IReadOnlyList<RuleFacts> Rules { get; init; } = [];

    /// <summary>The configuration path of the FIB's route for a prefix.</summary>
    public string PathOf(Route route)
    {
        routePaths ??= Routes.ToDictionary(r => r.Route.Prefix, r => r.Path);
        return routePaths.TryGetValue(route.Prefix, out string? path) ? path : route.Prefix.ToString();
    }

    public string PortName(ushort id) => Ports.TryGet(id, out var port) ? port.Name : $"#{id}";
}
