using Dataplane.Forwarding.Configuration;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// The "tof.pinger" section, checked. <see cref="PdnAddress"/> is what IPv4 UEs are probed toward when it is IPv4,
/// IPv6 UEs when it is IPv6; <see cref="PdnAddress6"/>, when given, is where IPv6 UEs are probed (a dual-stack PDN).
/// </summary>
public sealed record TofPingerSettings(IpAddress PdnAddress, int IntervalMilliseconds, int Limit)
{
    /// <summary>The IPv6 PDN address for IPv6 UEs, when set apart from <see cref="PdnAddress"/>.</summary>
    public Ipv6Address? PdnAddress6 { get; init; }

    /// <summary>Where a UE of this family is probed, or null when no PDN address of its family is given (it is not probed).</summary>
    public IpAddress? PdnFor(IpFamily family) =>
        family == IpFamily.V6 && PdnAddress6 is { } v6 ? v6 : PdnAddress.Family == family ? PdnAddress : null;

    public static TofPingerSettings Read(TofPingerConfig pinger)
    {
        var pdn = ConfigValues.Ip(pinger.PdnAddress, "tof.pinger.pdnAddress");
        Ipv6Address? pdn6 = null;
        if (pinger.PdnAddress6 is not null)
        {
            var address = ConfigValues.Ip(pinger.PdnAddress6, "tof.pinger.pdnAddress6");
            pdn6 = address.IsV6 ? address.AsV6() : throw new ConfigurationException("tof.pinger.pdnAddress6", $"'{pinger.PdnAddress6}' is not an IPv6 address");
        }

        foreach (var (address, field) in new[] { (pdn, "tof.pinger.pdnAddress"), (pdn6 is { } p6 ? (IpAddress)p6 : pdn, "tof.pinger.pdnAddress6") })
        {
            if (TofServiceAddress.Problem(address) is { } problem)
            {
                throw new ConfigurationException(field, $"{address} is not a unicast address ({problem})");
            }
        }
        if (pinger.IntervalMilliseconds is < 10 or > 3_600_000)
        {
            throw new ConfigurationException("tof.pinger.intervalMilliseconds", $"{pinger.IntervalMilliseconds} is outside 10..3600000");
        }

        if (pinger.Limit is < 1 or > 1000)
        {
            throw new ConfigurationException("tof.pinger.limit", $"{pinger.Limit} is outside 1..1000");
        }

        return new TofPingerSettings(pdn, pinger.IntervalMilliseconds, pinger.Limit) { PdnAddress6 = pdn6 };
    }
}
