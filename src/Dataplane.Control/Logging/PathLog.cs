using Microsoft.Extensions.Logging;

namespace Dataplane.Control.Logging;

/// <summary>GTP-U path supervision's messages (category <see cref="LogCategories.GtpU"/>) and the LISP control plane's (<see cref="LogCategories.Lisp"/>).</summary>
public static partial class PathLog
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "peer {Peer} (from {Local}) {Kind}")]
    public static partial void GtpUPeer(ILogger logger, string peer, string local, string kind);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "peer {Peer} (from {Local}) {Kind}, restart counter {RestartCounter}")]
    public static partial void GtpUPeerRestarted(ILogger logger, string peer, string local, string kind, byte restartCounter);

    /// <summary>What the LISP control plane reports: a refused message, an unreachable map-server ...</summary>
    [LoggerMessage(EventId = 600, Level = LogLevel.Warning, Message = "{Problem}")]
    public static partial void LispProblem(ILogger logger, string problem);
}
