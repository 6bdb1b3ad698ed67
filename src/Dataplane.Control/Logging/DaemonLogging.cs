using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Dataplane.Control.Logging;

/// <summary>
/// The daemon's logging: one <see cref="ILoggerFactory"/> (handed to every component, the REST and metrics servers
/// too), its live filter (<see cref="Filter"/>, what <c>log.set-level</c> changes) and the chosen format written to
/// one writer (stderr in the daemon). Timestamps are UTC, ISO 8601, to the millisecond.
/// </summary>
public sealed class DaemonLogging : IDisposable
{
    /// <summary>ISO 8601 in UTC; the plain format separates it from the level with a space.</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    private readonly ServiceProvider? formatters;

    private DaemonLogging(ILoggerFactory factory, LogFilterSwitch filter, ServiceProvider? formatters)
    {
        Factory = factory;
        Filter = filter;
        this.formatters = formatters;
    }

    /// <summary>Logs nothing: for components built outside the daemon (tests, benchmarks) that were given no logging. A new one each time, so a level set on one is nobody else's.</summary>
    public static DaemonLogging Silent => new(NullLoggerFactory.Instance, new LogFilterSwitch(LogLevel.Information), null);

    public ILoggerFactory Factory { get; }

    public LogFilterSwitch Filter { get; }

    public ILogger Logger(string category) => Factory.CreateLogger(category);

    /// <summary>Lines in <paramref name="format"/> at <paramref name="level"/> and above to <paramref name="writer"/>; colours only on a terminal.</summary>
    public static DaemonLogging Create(LogFormat format, LogLevel level, TextWriter writer, bool colours = false)
    {
        ArgumentNullException.ThrowIfNull(writer);

        // The formatters are internal to the console package: they are had from its registration, without its provider.
        var services = new ServiceCollection()
            .AddLogging(builder => builder.AddConsole())
            .Configure<SimpleConsoleFormatterOptions>(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = TimestampFormat + " ";
                o.UseUtcTimestamp = true;
                o.ColorBehavior = colours ? LoggerColorBehavior.Enabled : LoggerColorBehavior.Disabled;
                o.IncludeScopes = false;
            })
            .Configure<ConsoleFormatterOptions>(o => // the systemd formatter's options
            {
                o.TimestampFormat = null; // journald stamps each line itself
                o.IncludeScopes = false;
            })
            .Configure<JsonConsoleFormatterOptions>(o =>
            {
                o.TimestampFormat = TimestampFormat;
                o.UseUtcTimestamp = true;
                o.IncludeScopes = false;
                o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
            })
            .BuildServiceProvider();
        string name = format switch
        {
            LogFormat.Systemd => ConsoleFormatterNames.Systemd,
            LogFormat.Json => ConsoleFormatterNames.Json,
            _ => ConsoleFormatterNames.Simple,
        };
        var formatter = services.GetServices<ConsoleFormatter>().Single(f => f.Name == name);
        var filter = new LogFilterSwitch(level);
        var factory = new LoggerFactory([new WriterLoggerProvider(formatter, writer)], filter);
        return new DaemonLogging(factory, filter, services);
    }

    public void Dispose()
    {
        if (formatters is null)
        {
            return; // Silent: nothing to free
        }

        Factory.Dispose();
        formatters.Dispose();
    }
}
