using Dataplane.Control.Logging;
using Dataplane.Control.Metrics;
using Dataplane.Control.Persistence;
using Dataplane.Control.Rest;
using Dataplane.Control.Socket;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Tof;
using Dataplane.Runtime.Ports;
using Microsoft.Extensions.Logging;

namespace Dataplane.Control;

/// <summary>
/// The daemon's control side as <c>dataplane run</c> uses it: <see cref="Create"/> (before the ports open) restores the
/// persisted state over the configuration's, <see cref="Start"/> (once the ports are open) starts the control socket,
/// the metrics endpoint and the TOF REST API, <see cref="Dispose"/> stops them and writes a final snapshot.
/// </summary>
public sealed class ControlHost : IDisposable
{
    private readonly ControlConfig config;
    private ControlServer? server;
    private MetricsServer? metricsServer;
    private RestApiServer? restServer;

    private ControlHost(ControlConfig config, ForwardingPlane plane)
    {
        this.config = config;
        Methods = new ControlMethods(plane);
    }

    public ControlMethods Methods { get; }

    /// <summary>The registry other control-plane components add their counters to.</summary>
    public ControlPlaneMetrics Metrics { get; } = new();

    public StateStore? Store { get; private set; }

    public ControlServer? Server => server;

    public MetricsServer? MetricsServer => metricsServer;

    public RestApiServer? RestServer => restServer;

    /// <summary>The daemon's logging; <see cref="LoggerFactory"/> is what servers and components take their loggers from.</summary>
    public DaemonLogging Logging => Methods.Context.Logging;

    public ILoggerFactory LoggerFactory => Logging.Factory;

    /// <summary>
    /// Restores persisted state (snapshot, then journal) when <c>control.stateDirectory</c> is set; reports what it
    /// skipped to <paramref name="report"/>. <paramref name="tofServices"/> (the TOF feature's table, role tof) must be
    /// given here, before the restore, so persisted service registrations come back into it. <paramref name="logging"/>
    /// is the daemon's (silent when not given).
    /// </summary>
    public static ControlHost Create(ControlConfig? config, ForwardingPlane plane, Action<string> report, TofServiceTable? tofServices = null,
        DaemonLogging? logging = null)
    {
        ArgumentNullException.ThrowIfNull(plane);
        ArgumentNullException.ThrowIfNull(report);
        var host = new ControlHost(config ?? new ControlConfig(), plane);
        host.Methods.Context.Logging = logging ?? DaemonLogging.Silent;
        host.Methods.Context.TofServices = tofServices;
        var log = host.Logging.Logger(LogCategories.State);
        if (host.config.StateDirectory is { } directory)
        {
            try
            {
                host.Store = new StateStore(directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigurationException("control.stateDirectory", $"cannot use {directory}: {e.Message}");
            }

            int replayed = host.Store.Load(host.Methods, report);
            host.Methods.Journal = host.Store;
            StateLog.Restored(log, directory, replayed);
        }

        return host;
    }

    /// <summary>
    /// Starts the socket, the metrics endpoint and the REST API, those configured; <paramref name="ports"/> feed
    /// ports.stats and the port metrics. A listener that cannot bind is a <see cref="ConfigurationException"/> naming its setting.
    /// </summary>
    public void Start(PortSet? ports)
    {
        Methods.Context.Ports = ports;
        if (config.Socket is { } path)
        {
            try
            {
                server = new ControlServer(path, Methods);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
            {
                throw new ConfigurationException("control.socket", $"cannot listen on {path}: {e.Message}");
            }

            server.Start();
            ControlSocketLog.Listening(Logging.Logger(LogCategories.Socket), path);
        }

        if (config.MetricsAddress is { } address)
        {
            var (host, port) = ControlConfig.ParseMetricsAddress(address);
            metricsServer = new MetricsServer(host, port, RenderMetrics, config.MetricsTls?.Load("control.metricsTls"), LoggerFactory);
            DotnetRuntimeMetrics.StartCountingExceptions();
            metricsServer.Start(); // a port in use or an address not ours: a ConfigurationException naming control.metricsAddress
            HttpLog.MetricsServing(Logging.Logger(LogCategories.Metrics), Scheme(config.MetricsTls), address);
        }

        if (config.RestAddress is { } restAddress)
        {
            var (host, port) = ControlConfig.ParseRestAddress(restAddress);
            var token = new BearerToken(config.ReadRestToken());
            restServer = new RestApiServer(host, port, new TofRestApi(Methods), token, certificate: config.RestTls?.Load("control.restTls"), loggerFactory: LoggerFactory);
            restServer.Start();
            if (Methods.Context.TofServices is null)
            {
                HttpLog.RestWithoutTof(Logging.Logger(LogCategories.Rest));
            }

            HttpLog.RestServing(Logging.Logger(LogCategories.Rest), Scheme(config.RestTls), restAddress);
        }
    }

    private static string Scheme(TlsConfig? tls) => tls is null ? "http" : "https";

    public string RenderMetrics() =>
        PrometheusText.Render(Methods.Context.Plane, Methods.Context.Ports, Metrics, Methods.Context.LispTables?.MapCache);

    public void Dispose()
    {
        server?.Dispose();
        metricsServer?.Dispose();
        restServer?.Dispose();
        if (Store is not null)
        {
            Store.Compact(Methods.DumpState()); // clean shutdown: the next start reads one snapshot, no journal
            Store.Dispose();
        }
    }
}
