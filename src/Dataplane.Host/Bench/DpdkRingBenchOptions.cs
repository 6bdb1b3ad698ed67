namespace Dataplane.Host.Bench;

/// <summary>The arguments of the hidden <c>dataplane dpdk-ring-bench</c>, as <see cref="DpdkRingBenchCli"/> reads them.</summary>
public sealed record DpdkRingBenchOptions
{
    public const double DefaultSeconds = 5;

    public const double DefaultWarmupSeconds = 3;

    public string ConfigPath { get; init; } = "";

    public string FramesPath { get; init; } = "";

    public string IngressPortName { get; init; } = "";

    public double Seconds { get; init; } = DefaultSeconds;

    public double WarmupSeconds { get; init; } = DefaultWarmupSeconds;

    /// <summary>The core the traffic generator is pinned to.</summary>
    public int GeneratorCore { get; init; }
}
