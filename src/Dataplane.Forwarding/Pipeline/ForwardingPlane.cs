using System.Collections.Frozen;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Pipeline;

/// <summary>
/// The state every worker shares: ports, FIB, neighbours and the features with their tables. Workers get their
/// own <see cref="ForwardingPipeline"/> (stages, counters, punt queue) from <see cref="CreateWorker()"/>.
/// </summary>
public sealed class ForwardingPlane
{
    private readonly List<ForwardingPipeline> workers = [];

    internal ForwardingPlane(DataplaneConfig config, ForwardingPlaneOptions options, PortTable ports, Fib fib, NeighbourTable neighbours)
    {
        Config = config;
        Options = options;
        Ports = ports;
        Fib = fib;
        Neighbours = neighbours;
        LocalAddresses = ports.All.SelectMany(p => p.Addresses).ToFrozenSet();
        LocalAddressSet = new LocalAddressSet(LocalAddresses);
        TunnelEndpoints = Stages.TunnelEndpoints.OfAddresses(LocalAddresses);
        Roles = DataplaneRoleNames.SetOf(config.Roles);
    }

    public DataplaneConfig Config { get; }

    public ForwardingPlaneOptions Options { get; }

    public PortTable Ports { get; }

    public Fib Fib { get; }

    public NeighbourTable Neighbours { get; }

    /// <summary>Addresses the data plane owns on its ports: packets to them are for us, not to be routed.</summary>
    public FrozenSet<IpAddress> LocalAddresses { get; }

    /// <summary>The same addresses, shaped for the per-packet test (an IPv4 check without hashing).</summary>
    public LocalAddressSet LocalAddressSet { get; }

    /// <summary>
    /// Where tunnels end here (port addresses, LISP RLOCs, the TOF's ports): a datagram on a tunnel UDP port to
    /// anything else is transit, classified as plain IP. Set once the features are built.
    /// </summary>
    public Stages.TunnelEndpoints TunnelEndpoints { get; internal set; }

    public DataplaneRoles Roles { get; }

    public IReadOnlyList<IForwardingFeature> Features { get; internal set; } = [];

    /// <summary>The traffic rules (docs/configuration/traffic-rules.md); set once the features are built.</summary>
    public Rules.TrafficRuleTable TrafficRules { get; internal set; } = null!;

    public IReadOnlyList<ForwardingPipeline> Workers
    {
        get
        {
            lock (workers)
            {
                return [.. workers];
            }
        }
    }

    /// <summary>The feature of a type, e.g. the LISP feature whose map-cache the control plane fills.</summary>
    public T? Feature<T>() where T : class, IForwardingFeature => Features.OfType<T>().FirstOrDefault();

    /// <summary>True when the plane plays <paramref name="role"/> (or, for a set, any of its roles).</summary>
    public bool HasRole(DataplaneRoles role) => Roles.HasAny(role);

    /// <summary>A new worker's pipeline: its own stages, counters and punt queue over the shared tables.</summary>
    public ForwardingPipeline CreateWorker() => CreateWorker(decorate: null);

    /// <summary>
    /// As <see cref="CreateWorker()"/>, each stage passed through <paramref name="decorate"/> first: a wrapper that
    /// watches what a stage did to its vector (replay's drop capture and packet trace) without any test in the stages
    /// or the pipeline, so workers made without one pay nothing.
    /// </summary>
    public ForwardingPipeline CreateWorker(Func<IBatchStage, IBatchStage>? decorate)
    {
        var stages = Features.Where(f => f is not IOptionalStageFeature { WantsStage: false }).OrderBy(f => f.Order).Select(f => f.CreateStage(this)).ToArray();
        if (decorate is not null)
        {
            stages = Array.ConvertAll(stages, stage => decorate(stage));
        }

        var pipeline = new ForwardingPipeline(Ports, stages, new PuntQueue(Config.PuntQueueCapacity), new WorkerCounters(), TunnelEndpoints);
        lock (workers)
        {
            workers.Add(pipeline);
        }

        return pipeline;
    }

    /// <summary>All workers' counters summed.</summary>
    public CounterSnapshot Counters() => CounterSnapshot.Sum(Workers.Select(w => w.Counters));

    /// <summary>Frees table memory retired by updates. The caller guarantees every worker is between batches.</summary>
    public void ReclaimRetired()
    {
        Fib.ReclaimRetired();
        foreach (var feature in Features)
        {
            feature.ReclaimRetired();
        }
    }
}
