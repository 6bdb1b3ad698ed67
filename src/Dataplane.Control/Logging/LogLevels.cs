using Dataplane.Forwarding.Configuration;
using Microsoft.Extensions.Logging;

namespace Dataplane.Control.Logging;

/// <summary>
/// The level names <c>--log-level</c>, <c>control.logLevel</c> and <c>log.set-level</c> take: Microsoft.Extensions.Logging's
/// own, in lower case, plus "info" (the name the daemon used before, still accepted).
/// </summary>
public static class LogLevels
{
    public const string Names = "trace, debug, information, warning, error, critical";

    public static bool TryParse(string text, out LogLevel level)
    {
        switch (text)
        {
            case "trace":
                level = LogLevel.Trace;
                return true;
            case "debug":
                level = LogLevel.Debug;
                return true;
            case "information" or "info":
                level = LogLevel.Information;
                return true;
            case "warning":
                level = LogLevel.Warning;
                return true;
            case "error":
                level = LogLevel.Error;
                return true;
            case "critical":
                level = LogLevel.Critical;
                return true;
            default:
                level = LogLevel.Information;
                return false;
        }
    }

    /// <summary>The configuration's <c>control.logLevel</c>; information when absent. A name not in <see cref="Names"/> is refused, naming the field.</summary>
    public static LogLevel FromConfig(ControlConfig? control)
    {
        if (control?.LogLevel is not { } text)
        {
            return LogLevel.Information;
        }

        return TryParse(text, out var level) ? level : throw new ConfigurationException("control.logLevel", $"'{text}' is not one of: {Names}");
    }

    public static string Name(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "information",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        LogLevel.Critical => "critical",
        _ => "none",
    };
}
