using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Control.Lisp.MapServer;

/// <summary>
/// Who registered a part of a prefix's registration: the xTR-ID of a Map-Register with the I bit, else (an xTR that
/// sends none) its source address. Two ETRs of a multihomed site are two parts; one ETR refreshing is the same part.
/// </summary>
public readonly record struct RegistrantKey(UInt128 XtrId, IpAddress Source)
{
    public bool HasXtrId => XtrId != UInt128.Zero;

    public static RegistrantKey Of(MapRegister register, IpAddress from) =>
        register.XtrIdPresent && register.XtrId != UInt128.Zero ? new(register.XtrId, default) : new(UInt128.Zero, from);

    public override string ToString() => HasXtrId ? $"{XtrId:x32}" : Source.ToString();
}

/// <summary>
/// One registering xTR's part of a prefix's registration (RFC 9301 8.2 merge semantics): its own locators, flags
/// and lifetime. <see cref="Registrant"/> and <see cref="Port"/> are where its Map-Notifies go.
/// </summary>
public sealed record RegistrationPart(RegistrantKey Key, ulong SiteId, IpAddress Registrant, ushort Port, MappingRecord Record,
    bool ProxyReply, bool TruncatedHmac, long RefreshedAt, long ExpiresAt);

/// <summary>The merged locator set of a prefix's parts.</summary>
public static class RegistrationMerge
{
    /// <summary>
    /// The union of the parts' locators, in the order the parts joined and each part's own order. An RLOC two parts
    /// list is listed once, with the most preferred of their entries (the lower priority, then the higher weight) and
    /// reachable when either says so: the two ETRs disagree about an RLOC they share, and the one that can use it
    /// wins; a choice that does not flip with the order of their refreshes (no churn of Map-Notifies). The record's
    /// TTL is the smallest of the parts' (no ITR should keep the union longer than any part allows).
    /// </summary>
    public static MappingRecord Merge(IReadOnlyList<RegistrationPart> parts)
    {
        if (parts.Count == 1)
        {
            return parts[0].Record;
        }

        var locators = new List<LocatorRecord>();
        uint ttl = uint.MaxValue;
        foreach (var part in parts)
        {
            ttl = Math.Min(ttl, part.Record.TtlMinutes);
            foreach (var locator in part.Record.Locators)
            {
                int same = locators.FindIndex(l => l.Address == locator.Address);
                if (same < 0)
                {
                    locators.Add(locator);
                    continue;
                }

                var held = locators[same];
                bool better = locator.Priority < held.Priority || (locator.Priority == held.Priority && locator.Weight > held.Weight);
                locators[same] = (better ? locator : held) with { Reachable = held.Reachable || locator.Reachable };
            }
        }

        return parts[0].Record with { TtlMinutes = ttl, Locators = locators };
    }

    /// <summary>Whether two merged records hand out the same locators (what registrants are told about).</summary>
    public static bool SameLocators(MappingRecord a, MappingRecord b) => a.Locators.SequenceEqual(b.Locators);
}
