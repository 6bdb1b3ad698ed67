using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dataplane.Control.Logging;

/// <summary>
/// The logger factory's filter, changeable while the daemon runs: a default minimum level plus a level per category
/// (prefix). The factory listens through <see cref="IOptionsMonitor{TOptions}.OnChange"/> and recomputes every
/// logger's enabled levels on a change, so a disabled level costs one comparison at the call site, as with a fixed filter.
/// </summary>
public sealed class LogFilterSwitch : IOptionsMonitor<LoggerFilterOptions>
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, LogLevel> categories = new(StringComparer.Ordinal);
    private readonly List<Action<LoggerFilterOptions, string?>> listeners = [];
    private LogLevel defaultLevel;
    private LoggerFilterOptions current;

    public LogFilterSwitch(LogLevel level)
    {
        defaultLevel = level;
        current = Build();
    }

    public LoggerFilterOptions CurrentValue => Volatile.Read(ref current);

    public LogLevel Level
    {
        get
        {
            lock (gate)
            {
                return defaultLevel;
            }
        }
    }

    /// <summary>The level in force for <paramref name="category"/>: its own (or its longest configured prefix's), else the default.</summary>
    public LogLevel LevelOf(string category)
    {
        lock (gate)
        {
            var best = defaultLevel;
            int bestLength = -1;
            foreach (var (prefix, level) in categories)
            {
                if (prefix.Length > bestLength && category.StartsWith(prefix, StringComparison.Ordinal))
                {
                    best = level;
                    bestLength = prefix.Length;
                }
            }

            return best;
        }
    }

    /// <summary>Sets the default level (<paramref name="category"/> null) or one category's; returns the level it replaces.</summary>
    public LogLevel Set(LogLevel level, string? category = null)
    {
        LogLevel previous;
        Action<LoggerFilterOptions, string?>[] notify;
        LoggerFilterOptions options;
        lock (gate)
        {
            if (category is null)
            {
                previous = defaultLevel;
                defaultLevel = level;
            }
            else
            {
                previous = categories.TryGetValue(category, out var own) ? own : defaultLevel;
                categories[category] = level;
            }

            options = Build();
            Volatile.Write(ref current, options);
            notify = [.. listeners];
        }

        foreach (var listener in notify)
        {
            listener(options, null);
        }

        return previous;
    }

    public LoggerFilterOptions Get(string? name) => CurrentValue;

    public IDisposable? OnChange(Action<LoggerFilterOptions, string?> listener)
    {
        lock (gate)
        {
            listeners.Add(listener);
        }

        return new Subscription(this, listener);
    }

    private LoggerFilterOptions Build()
    {
        var options = new LoggerFilterOptions { MinLevel = defaultLevel };
        foreach (var (category, level) in categories)
        {
            options.Rules.Add(new LoggerFilterRule(providerName: null, categoryName: category, logLevel: level, filter: null));
        }

        return options;
    }

    private sealed class Subscription(LogFilterSwitch owner, Action<LoggerFilterOptions, string?> listener) : IDisposable
    {
        public void Dispose()
        {
            lock (owner.gate)
            {
                owner.listeners.Remove(listener);
            }
        }
    }
}
