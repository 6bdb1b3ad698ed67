namespace Dataplane.Host.Replay;

/// <summary>The arguments of <c>dataplane replay</c>, as <see cref="ReplayCli"/> reads them from the command line.</summary>
public sealed record ReplayOptions
{
    public const ulong DefaultNonceSeed = 1;

    public static readonly string DefaultOutputPath = Path.Combine(Path.GetTempPath(), "dataplane-replay-out.pcap");

    public static readonly string DefaultPuntPath = Path.Combine(Path.GetTempPath(), "dataplane-replay-punt.pcap");

    public string? ConfigPath { get; init; }

    public string? InputPath { get; init; }

    public string OutputPath { get; init; } = DefaultOutputPath;

    public string? PuntPath { get; init; } = DefaultPuntPath;

    public string? IngressPortName { get; init; }

    public ulong NonceSeed { get; init; } = DefaultNonceSeed;

    public bool Quiet { get; init; }
}
