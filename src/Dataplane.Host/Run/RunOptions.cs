namespace Dataplane.Host.Run;

/// <summary>The arguments of <c>dataplane run</c>, as <see cref="RunCli"/> reads them from the command line.</summary>
public sealed record RunOptions
{
    public string ConfigPath { get; init; } = "";

    public double? ExitWhenIdleSeconds { get; init; }

    public double? DurationSeconds { get; init; }

    public ulong? NonceSeed { get; init; }
}
