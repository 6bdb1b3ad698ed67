using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>What a service or application address may be: one unicast host a UE can send to, of either family.</summary>
public static class TofServiceAddress
{
    /// <summary>Why <paramref name="address"/> is no unicast address a service or application may have, or null when it is one.</summary>
    public static string? Problem(IpAddress address)
    {
        if (address.IsV4)
        {
            uint value = address.AsV4().Value;
            return value == 0 || value >= 0xE000_0000 ? "0.0.0.0, multicast, 240.0.0.0/4 and broadcast name no one host" : null;
        }

        var v6 = address.AsV6();
        if (v6.Value == UInt128.Zero || v6.Value == UInt128.One)
        {
            return ":: and ::1 name no host a UE reaches";
        }

        if (v6.High >> 56 == 0xFF)
        {
            return "ff00::/8 is multicast";
        }

        if (v6.High >> 54 == 0x3FA)
        {
            return "fe80::/10 is link-local, which a UE's packets do not reach across the PDN";
        }

        if (v6.High == 0 && (v6.Low >> 32) == 0xFFFF)
        {
            return "::ffff:0:0/96 is IPv4-mapped: give the IPv4 address";
        }

        return null;
    }

    /// <summary>Why a service's two addresses cannot go together, or null: they are of one family (the TOF does not translate between them) and differ.</summary>
    public static string? PairProblem(IpAddress serviceIp, IpAddress applicationIp)
    {
        if (serviceIp.Family != applicationIp.Family)
        {
            return $"is IPv{(applicationIp.IsV4 ? 4 : 6)} and the serviceIP IPv{(serviceIp.IsV4 ? 4 : 6)}: both must be of one family";
        }

        return serviceIp == applicationIp ? "is the serviceIP" : null;
    }
}
