namespace Dataplane.Control.Logging;

/// <summary>One logging category per component of the daemon; <c>log.set-level</c> takes any of them (or a prefix).</summary>
public static class LogCategories
{
    /// <summary>The daemon's start, stop and signals.</summary>
    public const string Run = "Dataplane.Control.Run";

    /// <summary>The control socket: accepted mutations, refused and failed requests, stalled clients.</summary>
    public const string Socket = "Dataplane.Control.Socket";

    /// <summary>Persistence: the state directory's restore.</summary>
    public const string State = "Dataplane.Control.State";

    /// <summary>The configuration file's reload on SIGHUP.</summary>
    public const string Reload = "Dataplane.Control.Reload";

    /// <summary>The TOF REST API.</summary>
    public const string Rest = "Dataplane.Control.Rest";

    /// <summary>The metrics endpoint.</summary>
    public const string Metrics = "Dataplane.Control.Metrics";

    /// <summary>The LISP control plane (map-requests, registrations, RLOC probing).</summary>
    public const string Lisp = "Dataplane.Control.Lisp";

    /// <summary>The TOF: tunnel events, idle purge.</summary>
    public const string Tof = "Dataplane.Control.Tof";

    /// <summary>GTP-U path supervision.</summary>
    public const string GtpU = "Dataplane.Control.GtpU";
}
