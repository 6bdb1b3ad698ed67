using Dataplane.Control.Logging;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.GtpU;
using Dataplane.Forwarding.Lisp;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Tof;
using Dataplane.Forwarding.Vxlan;
using Dataplane.Runtime.Ports;
using Dataplane.Tables.Gtp;
using Dataplane.Tables.Time;

namespace Dataplane.Control.Socket;

/// <summary>What the methods work on: the live forwarding plane's tables (the ones workers read) and the open ports.</summary>
public sealed class ControlContext(ForwardingPlane plane)
{
    public ForwardingPlane Plane { get; } = plane;

    public IMonotonicClock Clock => Plane.Options.Clock;

    /// <summary>The daemon's logging (its level is what log.set-level changes); silent until <c>dataplane run</c> sets it.</summary>
    public DaemonLogging Logging { get; set; } = DaemonLogging.Silent;

    /// <summary>Events for subscribed control-socket clients (TOF tunnel changes ...).</summary>
    public ControlEvents Events { get; } = new();

    /// <summary>The LISP control plane, once <c>dataplane run</c> has started it; null in tests and on non-LISP planes.</summary>
    public Lisp.LispControlPlane? LispControl { get; set; }

    /// <summary>The open ports, once <c>dataplane run</c> has opened them; null in tests without ports.</summary>
    public PortSet? Ports { get; set; }

    /// <summary>The punt-queue depth source per worker; defaults to the plane's worker pipelines.</summary>
    public LispTables? LispTables =>
        Plane.Feature<LispDecapsulationFeature>()?.Tables ?? Plane.Feature<LispEncapsulationFeature>()?.Tables;

    public GtpUTunnelTable? Tunnels => Plane.Feature<GtpUFeature>()?.Tunnels;

    /// <summary>GTP-U path supervision (Echo Requests to the tunnels' peers), when <c>dataplane run</c> started it.</summary>
    public GtpU.GtpUPathSupervisor? GtpUPaths { get; set; }

    public VxlanTables? Vxlan => Plane.Feature<VxlanFeature>()?.Tables;

    /// <summary>The TOF's registered services (role tof): what service.* and the REST API change; null = no TOF.</summary>
    public TofServiceTable? TofServices { get; set; }

    /// <summary>The TOF's learned GTP-U tunnels, for the REST API's GET /tunnel; null = no TOF.</summary>
    public Rest.ITofTunnelSource? TofTunnels { get; set; }

    public LispTables RequireLisp(string method) =>
        LispTables ?? throw new ControlRpcException(JsonRpcErrorCodes.MethodNotFound,
            $"{method}: this data plane has no LISP tables (no role itr, etr, pitr, petr or rtr)");

    public GtpUTunnelTable RequireTunnels(string method) =>
        Tunnels ?? throw new ControlRpcException(JsonRpcErrorCodes.MethodNotFound, $"{method}: this data plane has no GTP-U tunnels (no role gtpu)");

    public TofServiceTable RequireTofServices(string method) =>
        TofServices ?? throw new ControlRpcException(JsonRpcErrorCodes.MethodNotFound, $"{method}: this data plane has no TOF services (no role tof)");

    /// <summary>Runs a configuration parser, turning its error (which names the field) into a -32602.</summary>
    public static T Checked<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (ConfigurationException e)
        {
            throw ControlRpcException.InvalidParams(e.Field, e.Problem);
        }
    }
}
