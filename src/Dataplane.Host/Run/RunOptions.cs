using Dataplane.Control.Logging;
using Microsoft.Extensions.Logging;

namespace Dataplane.Host.Run;

/// <summary>The arguments of <c>dataplane run</c>, as <see cref="RunCli"/> reads them from the command line.</summary>
public sealed record RunOptions
{
    public string ConfigPath { get; init; } = "";

    public double? ExitWhenIdleSeconds { get; init; }

    public double? DurationSeconds { get; init; }

    public ulong? NonceSeed { get; init; }

    /// <summary>The minimum level logged; null = the configuration's control.logLevel, else information.</summary>
    public LogLevel? LogLevel { get; init; }

    /// <summary>The log format; null = chosen by the environment (<see cref="LogFormats.ForEnvironment"/>).</summary>
    public LogFormat? LogFormat { get; init; }
}
