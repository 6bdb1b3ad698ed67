using System.Text.Json.Nodes;
using Dataplane.Control;
using Dataplane.Control.GtpU;
using Dataplane.Control.Logging;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.GtpU;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Runtime.Workers;

namespace Dataplane.Host.Run;

/// <summary>
/// Starts GTP-U path supervision for <c>dataplane run</c> when the gtpu role is on and <c>gtpu.echoIntervalSeconds</c>
/// is not 0: the supervisor and its metrics become control-thread services, and each path change is logged and
/// published to the control socket's subscribers as topic "gtpu.peer".
/// </summary>
internal static class GtpUPaths
{
    public static GtpUPathSupervisor? Start(ForwardingPlane plane, DataplaneConfig config, DataplaneRuntime runtime, ResolvingInjector injection,
        bool injectionIsAService, ControlHost control)
    {
        if (plane.Feature<GtpUFeature>() is not { } gtpu || config.Gtpu is not { EchoIntervalSeconds: > 0 } section)
        {
            return null;
        }

        var supervisor = new GtpUPathSupervisor(gtpu.Tunnels, section.EchoIntervalSeconds * 1000, section.EchoMissedLimit, injection.TryInject,
            () => Environment.TickCount64);
        var events = control.Methods.Context.Events;
        var log = control.Logging.Logger(LogCategories.GtpU);
        supervisor.Changed += e =>
        {
            if (e.RestartCounter is { } counter)
            {
                PathLog.GtpUPeerRestarted(log, e.Peer.ToString(), e.Local.ToString(), e.Kind.ToString().ToLowerInvariant(), counter);
            }
            else
            {
                PathLog.GtpUPeer(log, e.Peer.ToString(), e.Local.ToString(), e.Kind.ToString().ToLowerInvariant());
            }

            events.Publish("gtpu.peer", new JsonObject
            {
                ["kind"] = e.Kind.ToString().ToLowerInvariant(),
                ["localAddress"] = e.Local.ToString(),
                ["peerAddress"] = e.Peer.ToString(),
                ["restartCounter"] = e.RestartCounter is { } value ? value : null,
            });
        };

        // The first Echo Request toward a peer whose MAC is not known yet becomes the ARP / ND request; the resolving
        // injector sends it again once the neighbour answers, so it is not counted as missed.
        if (!injectionIsAService)
        {
            runtime.AddService(injection);
        }

        runtime.AddService(supervisor);
        runtime.AddService(new GtpUPathMetrics(supervisor, control.Metrics));
        return supervisor;
    }
}
