using Microsoft.Extensions.Logging;

namespace Dataplane.Control.Logging;

/// <summary>The control socket's messages (category <see cref="LogCategories.Socket"/>).</summary>
public static partial class ControlSocketLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "listening on {SocketPath}")]
    public static partial void Listening(ILogger logger, string socketPath);

    /// <summary>Every accepted mutation, with its params: the log's copy of the journal.</summary>
    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "{Method} {Params}")]
    public static partial void MutationAccepted(ILogger logger, string method, string @params);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "{Method} refused: {Reason}")]
    public static partial void RequestRefused(ILogger logger, string method, string reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "{Method} failed: {ExceptionType}: {Reason}")]
    public static partial void RequestFailed(ILogger logger, string method, string exceptionType, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "a client stalled for {Seconds} s in the middle of a request; closing it")]
    public static partial void ClientStalled(ILogger logger, double seconds);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "log level {Previous} -> {Level}")]
    public static partial void LevelChanged(ILogger logger, string previous, string level);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "log level of {Category} {Previous} -> {Level}")]
    public static partial void CategoryLevelChanged(ILogger logger, string category, string previous, string level);
}
