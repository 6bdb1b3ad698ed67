namespace Dataplane.Host.Replay;

/// <summary>The arguments of <c>dataplane replay</c>, as <see cref="ReplayCli"/> reads them from the command line.</summary>
public sealed record ReplayOptions
{
    public const ulong DefaultNonceSeed = 1;

    public string? ConfigPath { get; init; }

    public string? InputPath { get; init; }

    /// <summary>--out as given; null for the default next to the input (<see cref="ReplayOutputPaths"/>).</summary>
    public string? OutputPath { get; init; }

    /// <summary>--punt as given; null for the default next to the input.</summary>
    public string? PuntPath { get; init; }

    /// <summary>--out-dir: where the default output names go instead of the input's directory.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>--drops: the pcapng that receives every dropped packet with its reason and stage.</summary>
    public string? DropsPath { get; init; }

    public string? IngressPortName { get; init; }

    public ulong NonceSeed { get; init; } = DefaultNonceSeed;

    public bool Quiet { get; init; }

    /// <summary>--json: the counters as one JSON document on stdout instead of the table.</summary>
    public bool Json { get; init; }

    /// <summary>--expect: a counters file in the --json format to compare with.</summary>
    public string? ExpectPath { get; init; }

    /// <summary>--expect-pcap: a capture the transmitted packets must equal.</summary>
    public string? ExpectPcapPath { get; init; }

    /// <summary>--trace: how many of the first packets to trace through the stages.</summary>
    public int TraceCount { get; init; }
}
