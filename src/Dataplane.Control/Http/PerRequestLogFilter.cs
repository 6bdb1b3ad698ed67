using Microsoft.Extensions.Logging;

namespace Dataplane.Control.Http;

/// <summary>
/// The daemon's logger factory as the web host sees it: ASP.NET Core's hosting and routing categories log a line at
/// information for every request ("Request starting", "Executing endpoint"), which would put two lines per scrape in
/// the daemon's log; they are kept to warnings and above. Kestrel's own categories (connections, bad requests,
/// timeouts, TLS) pass unchanged. The factory stays the daemon's: disposing this does not dispose it.
/// </summary>
internal sealed class PerRequestLogFilter(ILoggerFactory daemon) : ILoggerFactory
{
    private static readonly string[] PerRequestCategories = ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Http.Result"];

    public ILogger CreateLogger(string categoryName)
    {
        var logger = daemon.CreateLogger(categoryName);
        return PerRequestCategories.Any(prefix => categoryName.StartsWith(prefix, StringComparison.Ordinal)) ? new WarningsOnly(logger) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => daemon.AddProvider(provider);

    public void Dispose()
    {
    }

    private sealed class WarningsOnly(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
