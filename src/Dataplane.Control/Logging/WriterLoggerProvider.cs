using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Dataplane.Control.Logging;

/// <summary>
/// Writes each log entry through one of the console package's formatters to a writer the daemon chooses (stderr, or a
/// test's StringWriter), at once and whole: lines of different threads never interleave, and nothing is queued that a
/// fast exit could lose (the console provider writes from a background queue).
/// </summary>
public sealed class WriterLoggerProvider(ConsoleFormatter formatter, TextWriter writer) : ILoggerProvider
{
    private readonly Lock gate = new();
    private readonly StringWriter line = new(System.Globalization.CultureInfo.InvariantCulture);

    public ILogger CreateLogger(string categoryName) => new WriterLogger(this, categoryName);

    public void Dispose()
    {
        lock (gate)
        {
            writer.Flush();
        }
    }

    private void Write<TState>(in LogEntry<TState> entry)
    {
        lock (gate)
        {
            var text = line.GetStringBuilder().Clear();
            formatter.Write(in entry, scopeProvider: null, line);
            if (text.Length == 0)
            {
                return; // the formatter found nothing to say (no message, no exception)
            }

            // The formatters end each entry with a newline, except the JSON one (it leaves the line to the console logger).
            if (text[^1] != '\n')
            {
                text.Append('\n');
            }

            writer.Write(text);
            writer.Flush();
        }
    }

    private sealed class WriterLogger(WriterLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => NullScope.Instance;

        // The factory's filter (LogFilterSwitch) has already decided; this provider adds no rule of its own.
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.None)
            {
                return;
            }

            provider.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter));
        }
    }

    private sealed class NullScope : IDisposable
    {
        public static readonly NullScope Instance = new();

        public void Dispose()
        {
        }
    }
}
