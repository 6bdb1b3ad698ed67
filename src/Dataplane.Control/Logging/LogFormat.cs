namespace Dataplane.Control.Logging;

/// <summary>How log lines are written: the console formatters of Microsoft.Extensions.Logging.Console.</summary>
public enum LogFormat
{
    /// <summary>For a terminal: "2026-01-02T03:04:05.678Z info: Dataplane.Control.Run[1] message", one line each.</summary>
    Plain,

    /// <summary>For journald: "&lt;6&gt;Dataplane.Control.Run[1] message", the sd-daemon priority prefix, no timestamp (the journal stamps).</summary>
    Systemd,

    /// <summary>One JSON object per line: Timestamp, EventId, LogLevel, Category, Message, State (the named values).</summary>
    Json,
}

/// <summary>The names <c>--log-format</c> takes, and the format chosen when none is given.</summary>
public static class LogFormats
{
    public const string Names = "plain, systemd, json";

    public static bool TryParse(string text, out LogFormat format)
    {
        switch (text)
        {
            case "plain":
                format = LogFormat.Plain;
                return true;
            case "systemd":
                format = LogFormat.Systemd;
                return true;
            case "json":
                format = LogFormat.Json;
                return true;
            default:
                format = LogFormat.Plain;
                return false;
        }
    }

    /// <summary>
    /// systemd sets JOURNAL_STREAM when stderr goes to the journal and INVOCATION_ID for every unit it runs: either
    /// means a service, whose lines the journal stamps and ranks by their "&lt;N&gt;" prefix. Otherwise, a terminal.
    /// </summary>
    public static LogFormat ForEnvironment(Func<string, string?> variable) =>
        !string.IsNullOrEmpty(variable("JOURNAL_STREAM")) || !string.IsNullOrEmpty(variable("INVOCATION_ID")) ? LogFormat.Systemd : LogFormat.Plain;
}
