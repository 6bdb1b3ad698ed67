using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Dataplane.Control;
using Dataplane.Control.FlowExport;
using Dataplane.Control.Lisp;
using Dataplane.Control.Logging;
using Dataplane.Control.Metrics;
using Dataplane.Control.Reload;
using Dataplane.Control.Tof;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Tof;
using Dataplane.Host.Cli;
using Dataplane.Runtime.Build;
using Dataplane.Runtime.Ports;
using Dataplane.Ports.Pcap;
using Dataplane.Runtime.Workers;
using Microsoft.Extensions.Logging;

namespace Dataplane.Host.Run;

/// <summary>
/// <c>dataplane run --config FILE</c>: the daemon. Opens the configured ports, starts one run-to-completion worker
/// per configured worker (pinned to the configured cores) and the control thread, and runs until SIGINT/SIGTERM (or
/// the test options say stop); then stops the workers, drains, frees, and prints the final counters and port
/// statistics. Log lines go to stderr (<c>--log-format</c>, <c>--log-level</c>; docs/logging.md); the counters to stdout.
/// The stop is bounded (<see cref="DataplaneRuntime.DefaultStopBound"/> for the threads, the same again for
/// each port's close): what did not stop is logged and the daemon exits anyway. Exit codes: 0 stopped cleanly
/// with conserved counters, 1 otherwise, 2 bad command line or configuration, 3 a thread or a port did not stop in time.
/// </summary>
public static class RunCommand
{
    /// <summary>The verb as the command line runs it: <c>dataplane run</c> followed by <paramref name="arguments"/>.</summary>
    public static int Run(IReadOnlyList<string> arguments, TextWriter output, TextWriter error) =>
        DataplaneCli.Invoke(["run", .. arguments], output, error);

    public static int Execute(RunOptions options, TextWriter output, TextWriter error)
    {
        // Before anything asks the console about the terminal: that sets .NET's signal handling up, and a stop signal
        // still ignored then stays ignored (see InheritedSignalIgnore).
        var resetSignals = InheritedSignalIgnore.ResetStopSignals();
        var format = options.LogFormat ?? LogFormats.ForEnvironment(Environment.GetEnvironmentVariable);
        bool colours = format == LogFormat.Plain && ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        using var logging = DaemonLogging.Create(format, options.LogLevel ?? LogLevel.Information, error, colours);
        var log = logging.Logger(LogCategories.Run);
        foreach (string signal in resetSignals)
        {
            RunLog.SignalWasIgnored(log, signal);
        }

        return Run(options, output, logging);
    }

    private static int Run(RunOptions options, TextWriter output, DaemonLogging logging)
    {
        // From the start: a SIGHUP before the main loop (an operator's early reload) waits for it, instead of ending the daemon.
        using var reloadRequested = new ManualResetEventSlim();
        using var reloadSignal = ReloadHandler(reloadRequested);
        var log = logging.Logger(LogCategories.Run);
        ForwardingPlane plane;
        PortSet ports;
        DataplaneConfig config;
        ControlHost control;
        try
        {
            config = DataplaneConfigFile.Load(options.ConfigPath);
            if (options.LogLevel is null)
            {
                logging.Filter.Set(LogLevels.FromConfig(config.Control));
            }

            RunLog.Starting(log, BuildInfo.Version, BuildInfo.Commit, BuildInfo.Runtime, LogLevels.Name(logging.Filter.Level));
            plane = ForwardingPlaneBuilder.Build(config, new ForwardingPlaneOptions { NonceSeed = options.NonceSeed });

            // Persisted control-socket changes go over the configuration's state before any packet flows.
            // The TOF's service table goes in before the restore, so persisted registrations come back into it.
            var tofFeature = plane.Feature<TofFeature>();
            var stateLog = logging.Logger(LogCategories.State);
            control = ControlHost.Create(config.Control, plane, problem => StateLog.Problem(stateLog, problem), tofFeature?.Services, logging);
            if (tofFeature is not null)
            {
                control.Methods.Context.TofTunnels = new TofFeatureTunnelSource(tofFeature);
            }
        }
        catch (ConfigurationException e)
        {
            RunLog.ConfigurationRefused(log, options.ConfigPath, e.Message);
            return 2;
        }

        try
        {
            ports = PortFactory.Open(config, plane);
        }
        catch (ConfigurationException e)
        {
            control.Dispose();
            RunLog.ConfigurationRefused(log, options.ConfigPath, e.Message);
            return 2;
        }

        // The control plane's way out: what it originates enters the workers through this port (see InjectionPort).
        var injection = new InjectionPort((ushort)ports.Count, config.Workers);
        // Buffers for the packets the workers make (flood copies, fragments) out of packets from ports that lend none.
        var replicas = new ReplicaPort((ushort)(ports.Count + 1), config.Workers);
        ports = new PortSet([.. ports.All, injection, replicas]);
        // A control message toward a next hop with no MAC yet is injected again once the neighbour is learned: the
        // first copy becomes the ARP / ND request, and a peer would otherwise wait a retransmission for it.
        var resolvingInjection = new ResolvingInjector(plane, injection);
        var lisp = LispControlPlane.Create(plane, resolvingInjection.TryInject, () => Environment.TickCount64,
            LispReport(logging.Logger(LogCategories.Lisp)));
        control.Methods.Context.LispControl = lisp;
        try
        {
            control.Start(ports);
        }
        catch (ConfigurationException e)
        {
            control.Dispose();
            ports.Dispose();
            RunLog.ConfigurationRefused(log, options.ConfigPath, e.Message);
            return 2;
        }

        using (var serviceManager = ServiceManagerNotifier.FromEnvironment(problem => RunLog.ServiceManagerProblem(log, problem)))
        using (control)
        using (ports)
        using (var runtime = new DataplaneRuntime(plane, ports, config.Workers, config.Cores))
        using (var stopRequested = new ManualResetEventSlim())
        using (SignalHandler(PosixSignal.SIGINT, stopRequested))
        using (SignalHandler(PosixSignal.SIGTERM, stopRequested))
        {
            var reloader = new ConfigurationReloader(options.ConfigPath, config, control.Methods);
            if (lisp is not null)
            {
                runtime.AddService(lisp);
                runtime.AddService(resolvingInjection);
                runtime.AddService(new LispControlMetrics(lisp, control.Metrics));
            }

            if (plane.Feature<Dataplane.Forwarding.Nsh.NshFeature>() is { } nsh)
            {
                runtime.AddService(new Dataplane.Control.Nsh.NshMetrics(nsh, control.Metrics));
            }

            // Traffic rules: counters on /metrics, and the rule set compiled again when the TOF's services change.
            runtime.AddService(new Dataplane.Control.Rules.TrafficRuleMetrics(plane.TrafficRules, control.Metrics));

            // The TOF's control-thread chores: idle purge, and the downlink-TEID pinger when configured.
            if (plane.Feature<TofFeature>() is { } tof)
            {
                var tofLog = logging.Logger(LogCategories.Tof);
                runtime.AddService(new TofIdlePurger(tof, tofLog));
                runtime.AddService(new TofMetrics(tof, control.Metrics));
                var tofEvents = new TofEventLog(tof, tofLog);
                var subscribers = control.Methods.Context.Events;
                tofEvents.Published += e => subscribers.Publish("tof.tunnel", new System.Text.Json.Nodes.JsonObject
                {
                    ["kind"] = e.Kind.ToString(),
                    ["ue"] = e.Ue.ToString(),
                    ["direction"] = e.Direction.ToString(),
                    ["source"] = e.Source.ToString(),
                    ["destination"] = e.Destination.ToString(),
                    ["teid"] = e.Teid,
                });
                runtime.AddService(tofEvents);
                if (tof.Settings.Pinger is { } pinger)
                {
                    runtime.AddService(new TofPinger(tof, pinger, packet => injection.TryInject(packet)));
                }
            }

            // The egress schedulers' figures per shaped port and class (docs/configuration/egress.md).
            if (EgressMetrics.For(runtime, control.Metrics) is { } egressMetrics)
            {
                runtime.AddService(egressMetrics);
            }

            // GTP-U path management: Echo Requests to the tunnels' peers, their state on the socket and /metrics.
            if (GtpUPaths.Start(plane, config, runtime, resolvingInjection, lisp is not null, control) is { } paths)
            {
                control.Methods.Context.GtpUPaths = paths;
            }

            // IPFIX flow records (flowExport): read from the workers' counters on the control thread.
            using var flowExport = FlowExportSession.Create(config, plane, control.Metrics);
            if (flowExport is not null)
            {
                runtime.AddService(flowExport.Exporter);
            }

            var clock = Stopwatch.StartNew();
            runtime.Start();
            output.WriteLine($"dataplane: running roles [{string.Join(", ", config.Roles)}] on {ports.Count} port(s) with {config.Workers} worker(s); SIGINT or SIGTERM stops, SIGHUP reloads the configuration");
            output.Flush();
            // Ports open, saved state restored, workers running: a Type=notify unit is now "active".
            serviceManager.Ready($"forwarding on {ports.Count} port(s) with {config.Workers} worker(s)");
            while (!stopRequested.Wait(50))
            {
                if (reloadRequested.IsSet)
                {
                    reloadRequested.Reset();
                    serviceManager.Reloading($"reloading {options.ConfigPath}");
                    var outcome = reloader.Reload();
                    serviceManager.Ready(outcome.Accepted
                        ? $"reloaded: {outcome.Applied} change(s) applied, {outcome.Refused} refused, {outcome.NeedsRestart.Count} needing a restart"
                        : "reload refused; running as before");
                }

                if (options.DurationSeconds is { } duration && clock.Elapsed.TotalSeconds >= duration)
                {
                    break;
                }

                if (options.ExitWhenIdleSeconds is { } idle && InputsExhausted(ports) && runtime.IdleFor(TimeSpan.FromSeconds(idle)))
                {
                    break;
                }
            }

            serviceManager.Stopping("stopping: draining the workers and closing the ports");

            // Bounded stop: a worker or the control thread that does not stop in time is named with what it was
            // doing, and the daemon exits anyway (exit code 3) instead of hanging on a join.
            var stopWatch = Stopwatch.StartNew();
            var stopProblems = new List<string>(runtime.Stop(DataplaneRuntime.DefaultStopBound));
            var threadsStopped = stopWatch.Elapsed;
            foreach (string stuck in stopProblems)
            {
                RunLog.StopProblem(log, stuck);
            }

            foreach (string warning in runtime.Warnings)
            {
                RunLog.RuntimeWarning(log, warning);
            }

            flowExport?.Flush(); // the workers have stopped: the last records hold every packet

            var counters = plane.Counters();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dataplane: stopped after {clock.Elapsed.TotalSeconds:F1} s"));
            output.WriteLine(counters.ToTable());
            foreach (var (name, count) in lisp?.Counters.Snapshot() ?? [])
            {
                if (count != 0)
                {
                    output.WriteLine($"lisp {name,-30} {count,12}");
                }
            }

            foreach (var port in ports.All)
            {
                var stats = port.Statistics;
                output.WriteLine($"port {port.Name}: rx {stats.ReceivedPackets} packets / {stats.ReceivedBytes} bytes, tx {stats.TransmittedPackets} packets / {stats.TransmittedBytes} bytes, rx drops {stats.ReceiveDrops}, tx errors {stats.TransmitErrors}");
            }

            if (runtime.StuckWorkers)
            {
                ports.LeaveOpen();
                RunLog.PortsLeftOpen(log);
            }
            else
            {
                foreach (var closed in ports.DisposeWithin(DataplaneRuntime.DefaultStopBound))
                {
                    if (!closed.Clean)
                    {
                        stopProblems.Add(closed.ToString());
                        RunLog.StopProblem(log, closed.ToString());
                    }
                    else if (closed.Took > TimeSpan.FromSeconds(1))
                    {
                        RunLog.SlowStop(log, closed.ToString());
                    }
                }
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"dataplane: threads stopped in {threadsStopped.TotalMilliseconds:F0} ms, ports closed in {(stopWatch.Elapsed - threadsStopped).TotalMilliseconds:F0} ms"));
            if (stopProblems.Count > 0)
            {
                RunLog.DidNotStopCleanly(log);
                return 3;
            }

            return counters.IsConserved ? 0 : 1;
        }
    }

    /// <summary>The LISP control plane reports its problems (a refused message, an unreachable map-server) as warnings.</summary>
    private static Action<string> LispReport(ILogger log) => message => PathLog.LispProblem(log, message);

    /// <summary>Capture-file ports have a natural end; live ports never do.</summary>
    private static bool InputsExhausted(PortSet ports) =>
        ports.All.All(p => p is not PcapFilePort file || file.InputExhausted);

    /// <summary>SIGHUP asks the main loop for a reload (the handler only sets the flag; the loop does the work).</summary>
    private static PosixSignalRegistration ReloadHandler(ManualResetEventSlim reloadRequested) =>
        PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // SIGHUP's default action would end the daemon
            reloadRequested.Set();
        });

    private static PosixSignalRegistration SignalHandler(PosixSignal signal, ManualResetEventSlim stopRequested) =>
        PosixSignalRegistration.Create(signal, context =>
        {
            // The first signal asks for the (bounded) stop; a second one while stopping takes the default action.
            context.Cancel = !stopRequested.IsSet; // we stop ourselves, after draining
            stopRequested.Set();
        });
}
