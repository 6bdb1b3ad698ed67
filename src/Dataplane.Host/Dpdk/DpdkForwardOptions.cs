namespace Dataplane.Host.Dpdk;

/// <summary>The arguments of the hidden <c>dataplane dpdk-forward</c>, as <see cref="DpdkForwardCli"/> reads them.</summary>
public sealed record DpdkForwardOptions
{
    public const int DefaultIdleMilliseconds = 1000;

    public string ConfigPath { get; init; } = "";

    /// <summary>EAL arguments (split on spaces) in place of the configuration's dpdk.eal.</summary>
    public string? Eal { get; init; }

    /// <summary>The device of ports[0] when the configuration gives none.</summary>
    public string? Device { get; init; }

    /// <summary>A capture whose frames go out of ports[0] first, to start traffic in a net_ring loop.</summary>
    public string? InjectPath { get; init; }

    public int IdleMilliseconds { get; init; } = DefaultIdleMilliseconds;
}
