namespace Dataplane.Throughput.Soak;

/// <summary>What a soak run does: how long, how many control updates per second, how big the ITR's map-cache is.</summary>
public sealed record SoakOptions
{
    public int Seconds { get; init; } = 600;

    public int UpdatesPerSecond { get; init; } = 10_000;

    /// <summary>The ITR's map-cache size (the throughput harness's 1M /24s by default).</summary>
    public int Prefixes { get; init; } = 1 << 20;

    /// <summary>Where soak.md and soak.json go; null = no files.</summary>
    public string? OutputDirectory { get; init; } = "artifacts/bench";
}
