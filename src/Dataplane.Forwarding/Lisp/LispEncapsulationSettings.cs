using Dataplane.Forwarding.Configuration;

namespace Dataplane.Forwarding.Lisp;

/// <summary>The ITR behaviour from the "lisp" section, checked once (a bad value names its field).</summary>
public sealed record LispEncapsulationSettings(bool ChooseBySourcePort, bool IcmpWhenOverMtu, int IcmpRateLimitPerSecond)
{
    private static readonly Dictionary<string, bool> LocatorChoices = new()
    {
        ["flow-hash"] = false,
        ["source-port"] = true,
    };

    private static readonly Dictionary<string, bool> OverMtuActions = new()
    {
        ["icmp"] = true,
        ["drop"] = false,
    };

    public static LispEncapsulationSettings FromConfig(LispConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        bool bySourcePort = ConfigValues.OneOf(config.LocatorChoice, "lisp.locatorChoice", LocatorChoices);
        bool icmp = ConfigValues.OneOf(config.OverMtu, "lisp.overMtu", OverMtuActions);
        if (config.IcmpRateLimitPerSecond is < 0 or > 1_000_000)
        {
            throw new ConfigurationException("lisp.icmpRateLimitPerSecond", $"{config.IcmpRateLimitPerSecond} is outside 0..1000000");
        }

        return new LispEncapsulationSettings(bySourcePort, icmp, config.IcmpRateLimitPerSecond);
    }
}
