using Dataplane.Forwarding.Configuration;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>The "tof.pinger" section, checked.</summary>
public sealed record TofPingerSettings(Ipv4Address PdnAddress, int IntervalMilliseconds, int Limit)
{
    public static TofPingerSettings Read(TofPingerConfig pinger)
    {
        var pdn = ConfigValues.Ipv4(pinger.PdnAddress, "tof.pinger.pdnAddress");
        if (pinger.IntervalMilliseconds is < 10 or > 3_600_000)
        {
            throw new ConfigurationException("tof.pinger.intervalMilliseconds", $"{pinger.IntervalMilliseconds} is outside 10..3600000");
        }

        if (pinger.Limit is < 1 or > 1000)
        {
            throw new ConfigurationException("tof.pinger.limit", $"{pinger.Limit} is outside 1..1000");
        }

        return new TofPingerSettings(pdn, pinger.IntervalMilliseconds, pinger.Limit);
    }
}
