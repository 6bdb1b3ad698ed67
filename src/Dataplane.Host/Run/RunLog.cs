using Microsoft.Extensions.Logging;

namespace Dataplane.Host.Run;

/// <summary>The daemon's own messages (category <c>Dataplane.Control.Run</c>): configuration refusals, signals, the stop.</summary>
internal static partial class RunLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "dataplane {Version} ({Commit}, {Runtime}); log level {Level}")]
    public static partial void Starting(ILogger logger, string version, string commit, string runtime, string level);

    [LoggerMessage(EventId = 2, Level = LogLevel.Critical, Message = "{ConfigPath}: {Problem}")]
    public static partial void ConfigurationRefused(ILogger logger, string configPath, string problem);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "{Signal} was inherited as ignored (started in the background by a shell?); reset so that it stops the daemon")]
    public static partial void SignalWasIgnored(ILogger logger, string signal);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "stop: {Problem}")]
    public static partial void StopProblem(ILogger logger, string problem);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "{Warning}")]
    public static partial void RuntimeWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "stop: ports left open for the kernel to close at exit: a worker may still be inside a port call")]
    public static partial void PortsLeftOpen(ILogger logger);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "slow stop: {Port}")]
    public static partial void SlowStop(ILogger logger, string port);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "did not stop cleanly; exiting anyway (exit code 3)")]
    public static partial void DidNotStopCleanly(ILogger logger);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "stopping ({Reason})")]
    public static partial void Stopping(ILogger logger, string reason);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "{Problem}")]
    public static partial void ServiceManagerProblem(ILogger logger, string problem);
}
