using Microsoft.Extensions.Logging;

namespace Dataplane.Control.Logging;

/// <summary>The configuration reload's messages (category <see cref="LogCategories.Reload"/>).</summary>
public static partial class ReloadLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "SIGHUP: reloading {ConfigPath}")]
    public static partial void Reloading(ILogger logger, string configPath);

    [LoggerMessage(EventId = 301, Level = LogLevel.Error, Message = "{ConfigPath}: not reloaded, nothing changed: {Field}: {Problem}")]
    public static partial void Refused(ILogger logger, string configPath, string field, string problem);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "needs a restart: {Fields}")]
    public static partial void NeedsRestart(ILogger logger, string fields);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "{Method} {Params}")]
    public static partial void Applied(ILogger logger, string method, string @params);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "{Method} {Params} refused: {Reason}")]
    public static partial void ChangeRefused(ILogger logger, string method, string @params, string reason);

    [LoggerMessage(EventId = 305, Level = LogLevel.Information, Message = "reloaded {ConfigPath}: {Applied} change(s) applied, {Refused} refused")]
    public static partial void Reloaded(ILogger logger, string configPath, int applied, int refused);
}
