using Dataplane.Wire.Addresses;

namespace Dataplane.Tables.MapCache;

/// <summary>
/// One RLOC of a locator set (RFC 9301 section 5.4): where to send encapsulated packets for an EID prefix.
/// Lower <see cref="Priority"/> is preferred; 255 means "do not use for unicast". <see cref="Weight"/> splits
/// traffic among locators of equal best priority. <see cref="IsUp"/> is our reachability view (RLOC probing,
/// Locator-Status-Bits); <see cref="IsLocal"/> is the L bit: the locator belongs to the xTR that answered.
/// <see cref="IsDegraded"/> is the ITR's own measurement (RLOC probing saw its jitter above the configured threshold):
/// it never overrides priorities, it only makes the locator yield to the healthy ones of the same best priority.
/// <see cref="TranslatedPort"/> is non-zero only on an RTR, for an xTR behind a NAT (NAT traversal): the port its NAT
/// gave the xTR's registrations, which data must be sent to (from UDP 4342, so the NAT takes it as their answer).
/// </summary>
public readonly record struct Locator(IpAddress Address, byte Priority, byte Weight, bool IsUp = true, bool IsLocal = false, bool IsDegraded = false,
    ushort TranslatedPort = 0)
{
    /// <summary>RFC 9301: "A value of 255 means the RLOC MUST NOT be used for unicast forwarding."</summary>
    public const byte UnusablePriority = 255;

    /// <summary>Eligible for selection at all: reachable and not priority 255.</summary>
    public bool IsUsable => IsUp && Priority != UnusablePriority;

    public Locator WithState(bool isUp) => this with { IsUp = isUp };

    public override string ToString() =>
        $"{Address}{(TranslatedPort != 0 ? $":{TranslatedPort}" : "")} p{Priority} w{Weight} {(IsUp ? "up" : "down")}{(IsDegraded ? " degraded" : "")}{(IsLocal ? " local" : "")}";
}
