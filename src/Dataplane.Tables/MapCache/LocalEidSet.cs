using System.Runtime.CompilerServices;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tables.MapCache;

/// <summary>
/// The local EID prefixes shaped for the per-packet "is this one of our EIDs?" test the ITR makes twice per packet
/// (source and destination): per family, (instance, network, mask) triples with the mask computed once, so a test
/// is a scan of a few plain integer compares instead of <see cref="EidPrefix.Contains"/>, which rebuilds a 128-bit
/// mask by a variable shift for every prefix and every packet. Immutable; <see cref="LocalDatabase"/> builds a new
/// one with every change of its prefix list and publishes it together with that list.
/// </summary>
public sealed class LocalEidSet
{
    private readonly Ipv4Range[] ipv4;
    private readonly Ipv6Range[] ipv6;

    public LocalEidSet(EidPrefix[] prefixes)
    {
        ArgumentNullException.ThrowIfNull(prefixes);
        Prefixes = prefixes;
        var v4 = new List<Ipv4Range>();
        var v6 = new List<Ipv6Range>();
        foreach (var prefix in prefixes)
        {
            if (prefix.Address.IsV4)
            {
                uint mask = IpAddress.V4Mask(prefix.PrefixLength);
                v4.Add(new Ipv4Range(prefix.InstanceId, (uint)prefix.Address.Value & mask, mask));
            }
            else if (prefix.Address.IsV6)
            {
                UInt128 mask = IpAddress.V6Mask(prefix.PrefixLength);
                v6.Add(new Ipv6Range(prefix.InstanceId, prefix.Address.Value & mask, mask));
            }
        }

        ipv4 = [.. v4];
        ipv6 = [.. v6];
    }

    /// <summary>The prefixes as given (the database's list).</summary>
    public EidPrefix[] Prefixes { get; }

    /// <summary>Same answer as "some prefix <see cref="EidPrefix.Contains"/> the address".</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(uint instanceId, Ipv4Address address)
    {
        uint value = address.Value;
        foreach (ref readonly var range in ipv4.AsSpan())
        {
            if (range.InstanceId == instanceId && (value & range.Mask) == range.Network)
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc cref="Contains(uint, Ipv4Address)"/>
    public bool Contains(uint instanceId, Ipv6Address address)
    {
        UInt128 value = address.Value;
        foreach (ref readonly var range in ipv6.AsSpan())
        {
            if (range.InstanceId == instanceId && (value & range.Mask) == range.Network)
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc cref="Contains(uint, Ipv4Address)"/>
    public bool Contains(uint instanceId, IpAddress address) =>
        address.Family switch
        {
            IpFamily.V4 => Contains(instanceId, address.AsV4()),
            IpFamily.V6 => Contains(instanceId, address.AsV6()),
            _ => false,
        };

    private readonly record struct Ipv4Range(uint InstanceId, uint Network, uint Mask);

    private readonly record struct Ipv6Range(uint InstanceId, UInt128 Network, UInt128 Mask);
}
