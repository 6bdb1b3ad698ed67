using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Routing;

/// <summary>
/// The addresses the data plane owns on its ports, shaped for the per-packet "is it for us?" test. A box has a
/// handful of addresses, so for IPv4 a linear compare over a small uint array beats hashing a 128-bit
/// <see cref="IpAddress"/> into a frozen set (no hash, no virtual call, one cache line); IPv6 keeps the set.
/// Immutable: built once with the plane.
/// </summary>
public sealed class LocalAddressSet
{
    private readonly uint[] ipv4;
    private readonly FrozenSet<IpAddress> all;

    public LocalAddressSet(FrozenSet<IpAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        all = addresses;
        var v4 = new List<uint>();
        foreach (var address in addresses)
        {
            if (address.IsV4)
            {
                v4.Add(address.AsV4().Value);
            }
        }

        ipv4 = [.. v4];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(Ipv4Address address)
    {
        uint value = address.Value;
        foreach (uint local in ipv4)
        {
            if (local == value)
            {
                return true;
            }
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(Ipv6Address address) => all.Contains(address);

    public bool Contains(IpAddress address) => address.IsV4 ? Contains(address.AsV4()) : all.Contains(address);
}
