using Dataplane.Control.Metrics;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Tof;

namespace Dataplane.Control.FlowExport;

/// <summary>
/// The flow export of one <c>dataplane run</c>: the collector's socket, the sources the configured roles offer and
/// the exporter over them. The run adds <see cref="Exporter"/> to the control thread's services, calls
/// <see cref="Flush"/> once the workers have stopped (so the last records hold every packet), then disposes it.
/// </summary>
public sealed class FlowExportSession : IDisposable
{
    private readonly UdpCollector collector;

    private FlowExportSession(UdpCollector collector, FlowExporter exporter)
    {
        this.collector = collector;
        Exporter = exporter;
    }

    public FlowExporter Exporter { get; }

    /// <summary>The session for <paramref name="config"/>'s flowExport section, or null when it has none.</summary>
    public static FlowExportSession? Create(DataplaneConfig config, ForwardingPlane plane, ControlPlaneMetrics? metrics)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(plane);
        if (config.FlowExport is not { } settings)
        {
            return null;
        }

        settings.Validate();
        var templates = new FlowExportTemplates(settings.EnterpriseNumber);
        var clock = new ExportClock(plane.Options.Clock);
        long active = settings.ActiveTimeoutSeconds * 1000L, idle = settings.IdleTimeoutSeconds * 1000L;
        var sources = new List<IExportSource>();
        var trackers = new List<Func<int>>();
        var untracked = new List<Func<long>>();
        if (plane.Feature<TofFeature>() is { } tof)
        {
            var flows = new DeltaTracker<TofNatFlow>(settings.MaxTrackedEntries, active, idle);
            sources.Add(new TofFlowSource(tof, templates, clock, flows));
            trackers.Add(() => flows.Count);
            untracked.Add(() => flows.Untracked);
            var tunnels = new DeltaTracker<TofTunnel>(settings.MaxTrackedEntries, active, idle);
            sources.Add(new GtpUTunnelSource(tof, templates, clock, tunnels));
            trackers.Add(() => tunnels.Count);
            untracked.Add(() => tunnels.Untracked);
        }

        var collector = new UdpCollector(settings.CollectorEndPoint());
        var exporter = new FlowExporter(settings, templates, sources, clock, collector.Send, metrics,
            () => trackers.Sum(count => count()), () => untracked.Sum(count => count()));
        return new FlowExportSession(collector, exporter);
    }

    public void Flush() => Exporter.Flush();

    public void Dispose() => collector.Dispose();
}
