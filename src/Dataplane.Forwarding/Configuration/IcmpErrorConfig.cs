namespace Dataplane.Forwarding.Configuration;

/// <summary>
/// The ICMP errors the forwarding stages send about packets they cannot forward (TTL / hop limit exceeded, no route):
/// docs/configuration.md, "icmpErrors". The ITR's too-big errors keep their own budget (lisp.icmpRateLimitPerSecond).
/// </summary>
public sealed record IcmpErrorConfig
{
    public const int MaxRatePerSecond = 1_000_000;

    /// <summary>Errors each stage of each worker may send per second (a token bucket holding one second's worth); 0 sends none.</summary>
    public int RatePerSecond { get; init; } = 100;

    /// <summary>Refuses a rate outside 0..<see cref="MaxRatePerSecond"/>, naming the field.</summary>
    public void Validate()
    {
        if (RatePerSecond is < 0 or > MaxRatePerSecond)
        {
            throw new ConfigurationException("icmpErrors.ratePerSecond", $"{RatePerSecond} is outside 0..{MaxRatePerSecond}");
        }
    }
}
