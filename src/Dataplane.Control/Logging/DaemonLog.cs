namespace Dataplane.Control.Logging;

/// <summary>How much the daemon says: each level includes the ones before it.</summary>
public enum LogLevel
{
    Error = 0,
    Warning = 1,
    Info = 2,
    Debug = 3,
}

/// <summary>
/// The daemon's small logger: one process-wide level (changed at run time by the control socket's log.set-level) and
/// one writer (stderr by default). Lines are "level: message"; writes are serialised so lines never interleave.
/// </summary>
public static class DaemonLog
{
    private static readonly Lock WriteLock = new();
    private static volatile int level = (int)LogLevel.Info;
    private static TextWriter writer = Console.Error;

    public static LogLevel Level
    {
        get => (LogLevel)level;
        set => level = (int)value;
    }

    public static TextWriter Writer
    {
        get => writer;
        set => writer = value ?? throw new ArgumentNullException(nameof(value));
    }

    public static bool IsEnabled(LogLevel messageLevel) => (int)messageLevel <= level;

    public static void Error(string message) => Write(LogLevel.Error, message);

    public static void Warning(string message) => Write(LogLevel.Warning, message);

    public static void Info(string message) => Write(LogLevel.Info, message);

    public static void Debug(string message) => Write(LogLevel.Debug, message);

    public static void Write(LogLevel messageLevel, string message)
    {
        if (!IsEnabled(messageLevel))
        {
            return;
        }

        lock (WriteLock)
        {
            writer.WriteLine($"dataplane {messageLevel.ToString().ToLowerInvariant()}: {message}");
            writer.Flush();
        }
    }
}
