using System.Collections.Frozen;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Fragments;

/// <summary>
/// Fragments on every node: reassembled when addressed to a node that decapsulates (etr, petr, rtr, vtep, gtpu),
/// native IP again otherwise. Always in the pipeline, as routing is, because the classifier marks every fragment
/// as one and something has to take it; unfragmented packets never reach it. Each worker gets its own table (no
/// sharing, no locks): fragments of one datagram reach one worker when the port spreads traffic by addresses, as
/// RSS does for fragments.
/// </summary>
public sealed class ReassemblyFeature : IForwardingFeature
{
    /// <summary>The roles that terminate tunnels, whose outer fragments are reassembled.</summary>
    public const DataplaneRoles Decapsulating = DataplaneRoles.LispDecapsulating | DataplaneRoles.Vtep | DataplaneRoles.Gtpu;

    private ReassemblyFeature(LocalAddressSet endpoints, ReassemblyConfig? limits)
    {
        Endpoints = endpoints;
        Limits = limits;
    }

    public int Order => StageOrder.Reassembly;

    /// <summary>The destinations whose fragments are reassembled: our port addresses and LISP local RLOCs.</summary>
    public LocalAddressSet Endpoints { get; }

    /// <summary>The per-worker limits, or null on a node that decapsulates nothing.</summary>
    public ReassemblyConfig? Limits { get; }

    public static ReassemblyFeature Create(DataplaneConfig config, ForwardingPlane plane)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(plane);
        config.Reassembly.Validate();
        var addresses = new HashSet<IpAddress>(plane.LocalAddresses);
        var rlocs = config.Lisp?.LocalRlocs ?? [];
        for (int i = 0; i < rlocs.Count; i++)
        {
            if (IpAddress.TryParse(rlocs[i].Address, out var rloc))
            {
                addresses.Add(rloc); // a bad one is reported, naming its field, by the LISP feature
            }
        }

        return new ReassemblyFeature(new LocalAddressSet(addresses.ToFrozenSet()), plane.HasRole(Decapsulating) ? config.Reassembly : null);
    }

    public IBatchStage CreateStage(ForwardingPlane plane)
    {
        ArgumentNullException.ThrowIfNull(plane);
        var clock = plane.Options.Clock;
        var table = Limits is null ? null : new ReassemblyTable(Limits, Math.Max(1, Limits.TimeoutMilliseconds * clock.Frequency / 1000));
        return new ReassemblyStage(Endpoints, table, clock, plane.TunnelEndpoints);
    }

    /// <summary>Nothing shared to reclaim: each worker's table is its own and never retires memory.</summary>
    public void ReclaimRetired()
    {
    }
}
