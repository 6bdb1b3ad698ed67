using Dataplane.Tables.MapCache;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Control.Lisp;

/// <summary>Between the wire's LISP types (Dataplane.Wire.LispControl) and the tables' (EidPrefix, Locator, MapCacheEntry).</summary>
public static class LispAddressing
{
    /// <summary>
    /// An address for the wire. Instance 0 travels as a plain AFI, never as an Instance-ID LCAF with IID 0: deployed
    /// stacks (Open Overlay Router among them) take <c>[0]p</c> and <c>p</c> for two different EIDs, and every
    /// mapping outside a VPN is plain there. Receiving, both forms are instance 0 (<see cref="TryToEid"/>).
    /// </summary>
    public static LispAddress ToLisp(IpAddress address, uint? instanceId = null)
    {
        uint? onWire = instanceId is 0 ? null : instanceId;
        return address.IsV4 ? LispAddress.Ipv4(address.AsV4(), onWire) : LispAddress.Ipv6(address.AsV6(), onWire);
    }

    public static bool TryToIp(LispAddress address, out IpAddress ip)
    {
        ip = address.IsIpv4 ? new IpAddress(address.AsIpv4()) : address.IsIpv6 ? new IpAddress(address.AsIpv6()) : default;
        return address.IsIpv4 || address.IsIpv6;
    }

    /// <summary>The host prefix (/32, /128) of an address from the wire, instance 0 as a plain AFI.</summary>
    public static LispPrefix HostPrefix(LispAddress address) =>
        new(address.InstanceId is 0 ? address.WithInstanceId(null) : address, (byte)(address.AddressLength * 8));

    public static LispPrefix ToLisp(EidPrefix prefix) => new(ToLisp(prefix.Address, prefix.InstanceId), prefix.PrefixLength);

    /// <summary>An EID prefix from the wire; instance 0 when the address carries no LCAF instance id (or IID 0).</summary>
    public static bool TryToEid(LispPrefix prefix, out EidPrefix eid)
    {
        eid = default;
        if (!TryToIp(prefix.Address, out var address) || prefix.MaskLength > address.BitLength ||
            (prefix.Address.InstanceId ?? 0) > EidPrefix.MaxInstanceId)
        {
            return false;
        }

        eid = EidPrefix.Create(prefix.Address.InstanceId ?? 0, address, prefix.MaskLength);
        return true;
    }

    public static LocatorRecord ToLisp(Locator locator, bool local, bool probed = false) =>
        new(locator.Priority, locator.Weight, 255, 0, local, probed, Reachable: locator.IsUp, ToLisp(locator.Address));

    public static MappingAction ToLisp(NegativeAction action) => action switch
    {
        NegativeAction.NativelyForward => MappingAction.NativelyForward,
        NegativeAction.SendMapRequest => MappingAction.SendMapRequest,
        NegativeAction.Drop => MappingAction.Drop,
        _ => MappingAction.NoAction,
    };

    public static NegativeAction ToNegativeAction(MappingAction action) => action switch
    {
        MappingAction.NativelyForward => NegativeAction.NativelyForward,
        MappingAction.SendMapRequest => NegativeAction.SendMapRequest,
        MappingAction.NoAction => NegativeAction.NoAction,
        _ => NegativeAction.Drop, // Drop, Drop/Policy-Denied, Drop/Authentication-Failure
    };

    /// <summary>
    /// The mapping record our ETR hands out for <paramref name="eid"/>: our RLOCs with their priorities and weights.
    /// In the answer to an RLOC probe, <paramref name="probed"/> is the RLOC the probe came to: its locator gets the p
    /// bit (RFC 9301 5.4), which is how the prober (Open Overlay Router among them) knows which locator answered.
    /// </summary>
    public static MappingRecord LocalMapping(EidPrefix eid, ReadOnlySpan<Locator> rlocs, uint ttlMinutes, IpAddress? probed = null)
    {
        var locators = new List<LocatorRecord>(rlocs.Length);
        foreach (var rloc in rlocs)
        {
            locators.Add(ToLisp(rloc, local: true, probed: probed is { } p && rloc.Address == p));
        }

        return new MappingRecord(ttlMinutes, ToLisp(eid), MappingAction.NoAction, Authoritative: true, MapVersion: 0, locators);
    }

    /// <summary>
    /// A map-cache entry from a received mapping record; false (and why) when it cannot be one: a bad prefix, more
    /// locators than an entry holds, or a locator that is not IPv4/IPv6.
    /// </summary>
    public static bool TryToEntry(MappingRecord record, IMonotonicClock clock, out MapCacheEntry? entry, out string problem)
    {
        entry = null;
        if (!TryToEid(record.Eid, out var prefix))
        {
            problem = $"record EID {record.Eid} is not a usable prefix";
            return false;
        }

        uint ttl = record.TtlMinutes == MappingRecord.InfiniteTtl ? MapCacheEntry.InfiniteTtl : record.TtlMinutes;
        if (record.Locators.Count == 0)
        {
            entry = MapCacheEntry.Negative(prefix, ToNegativeAction(record.Action), ttl, clock, (ushort)(record.MapVersion & MapCacheEntry.MaxMapVersion));
            problem = "";
            return true;
        }

        if (record.Locators.Count > MapCacheEntry.MaxLocators)
        {
            problem = $"record {prefix}: {record.Locators.Count} locators, an entry holds {MapCacheEntry.MaxLocators}";
            return false;
        }

        var locators = new Locator[record.Locators.Count];
        for (int i = 0; i < locators.Length; i++)
        {
            var l = record.Locators[i];
            if (!TryToIp(l.Address, out var address))
            {
                problem = $"record {prefix}: locator {i} ({l.Address}) is not an IPv4 or IPv6 address";
                return false;
            }

            locators[i] = new Locator(address, l.Priority, l.Weight, IsUp: l.Reachable);
        }

        entry = MapCacheEntry.Create(prefix, locators, ttl, clock, (ushort)(record.MapVersion & MapCacheEntry.MaxMapVersion));
        problem = "";
        return true;
    }
}
