using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;

namespace Dataplane.Forwarding.Nsh;

/// <summary>
/// NSH service chaining (an "nsh" section, RFC 8300): the service functions and paths, shared by every worker's
/// <see cref="NshStage"/> and by the traffic rules that classify onto a path. The control socket changes them at run
/// time (<see cref="Update"/>): each change builds a whole new immutable <see cref="NshTables"/> and publishes it with
/// one reference write, so a worker sees the old paths or the new ones for a whole batch.
/// </summary>
public sealed class NshFeature : IForwardingFeature
{
    private readonly ForwardingPlane plane;
    private readonly int workers;
    private NshTables tables;
    private int stagesMade;

    public NshFeature(NshConfig config, ForwardingPlane plane)
    {
        this.plane = plane;
        workers = Math.Max(1, plane.Config.Workers);
        Config = config;
        tables = NshTablesBuilder.Build(config, plane.Ports, plane.LocalAddresses, workers);
    }

    public int Order => StageOrder.Nsh;

    /// <summary>The tables workers read now; read once per batch.</summary>
    public NshTables Tables => Volatile.Read(ref tables);

    /// <summary>The "nsh" section the current tables were built from, with every run-time change applied.</summary>
    public NshConfig Config { get; private set; }

    public static NshFeature Create(DataplaneConfig config, ForwardingPlane plane) =>
        new(config.Nsh ?? throw new ConfigurationException("nsh", "no \"nsh\" section"), plane);

    public IBatchStage CreateStage(ForwardingPlane plane) => new NshStage(plane, this, NextWorker());

    /// <summary>A forwarder for another stage of a worker (the traffic rules' servicePath action); call <see cref="NshForwarder.BeginBatch"/> per batch.</summary>
    public NshForwarder CreateForwarder() => new(plane, this, NextWorker());

    /// <summary>Checks <paramref name="changed"/> (throws <see cref="ConfigurationException"/> naming the field, nothing changed) without publishing it.</summary>
    public void Check(NshConfig changed) => NshTablesBuilder.Build(changed, plane.Ports, plane.LocalAddresses, workers, Tables);

    /// <summary>Builds tables from <paramref name="changed"/> and publishes them; the caller serialises updates (the control socket's mutation lock).</summary>
    public void Update(NshConfig changed)
    {
        var next = NshTablesBuilder.Build(changed, plane.Ports, plane.LocalAddresses, workers, Tables);
        Config = changed;
        Volatile.Write(ref tables, next);
    }

    public void ReclaimRetired()
    {
        // Replaced tables are plain managed objects, collected once no worker's batch holds them.
    }

    // Counters are per worker: the first stages made (one per worker) take a line each; any made later count on the
    // shared overflow line with interlocked adds, so no count is lost whichever thread runs them.
    private int NextWorker() => Interlocked.Increment(ref stagesMade) - 1;
}
