using Dataplane.Wire.Addresses;

namespace Dataplane.Tables.MapCache;

/// <summary>
/// The xTR's own mappings (RFC 9301 "EID-to-RLOC database"): the EID prefixes it serves (as ETR it decapsulates
/// toward them, as ITR it encapsulates from them) and its own RLOCs (what it registers and what the outer
/// destination of a packet must be for it to decapsulate). Small and rarely changed, so each list is an array
/// replaced whole on change (copy on write) and scanned linearly by readers without locks.
/// </summary>
public sealed class LocalDatabase
{
    private readonly Lock writeLock = new();
    private LocalEidSet eids;
    private LocalRlocs rlocs;

    public LocalDatabase(IEnumerable<EidPrefix>? eidPrefixes = null, IEnumerable<Locator>? rlocs = null)
    {
        eids = new LocalEidSet(eidPrefixes?.Distinct().ToArray() ?? []);
        this.rlocs = new LocalRlocs(rlocs?.Select(r => r with { IsLocal = true }).ToArray() ?? []);
    }

    public ReadOnlySpan<EidPrefix> EidPrefixes => Volatile.Read(ref eids).Prefixes;

    /// <summary>The prefixes shaped for the per-packet membership test; take it once per batch.</summary>
    public LocalEidSet Eids => Volatile.Read(ref eids);

    /// <summary>Our own locators, always flagged <see cref="Locator.IsLocal"/>.</summary>
    public ReadOnlySpan<Locator> Rlocs => Volatile.Read(ref rlocs).Locators;

    /// <summary>
    /// The IPv4 RLOCs as plain values, published together with <see cref="Rlocs"/>: the classifier's "is this UDP 4341
    /// datagram addressed to us?" test scans them without building an <see cref="IpAddress"/> per packet.
    /// </summary>
    public ReadOnlySpan<uint> Ipv4Rlocs => Volatile.Read(ref rlocs).Ipv4;

    public bool AddEidPrefix(EidPrefix prefix)
    {
        lock (writeLock)
        {
            if (Array.IndexOf(eids.Prefixes, prefix) >= 0)
            {
                return false;
            }

            Volatile.Write(ref eids, new LocalEidSet([.. eids.Prefixes, prefix]));
            return true;
        }
    }

    public bool RemoveEidPrefix(EidPrefix prefix)
    {
        lock (writeLock)
        {
            if (Array.IndexOf(eids.Prefixes, prefix) < 0)
            {
                return false;
            }

            Volatile.Write(ref eids, new LocalEidSet(eids.Prefixes.Where(p => p != prefix).ToArray()));
            return true;
        }
    }

    /// <summary>Replaces the RLOC set (priorities changed, an interface went away, Change-Priority promoted or demoted us).</summary>
    public void SetRlocs(ReadOnlySpan<Locator> locators)
    {
        var copy = locators.ToArray();
        for (int i = 0; i < copy.Length; i++)
        {
            copy[i] = copy[i] with { IsLocal = true };
        }

        Volatile.Write(ref rlocs, new LocalRlocs(copy));
    }

    /// <summary>The most specific local EID prefix holding <paramref name="eid"/>.</summary>
    public bool TryFindEidPrefix(uint instanceId, IpAddress eid, out EidPrefix prefix)
    {
        prefix = default;
        bool found = false;
        foreach (var candidate in EidPrefixes)
        {
            if (candidate.Contains(instanceId, eid) && (!found || candidate.PrefixLength > prefix.PrefixLength))
            {
                prefix = candidate;
                found = true;
            }
        }

        return found;
    }

    public bool IsLocalEid(uint instanceId, IpAddress eid) => Eids.Contains(instanceId, eid);

    /// <summary>True when <paramref name="address"/> is one of our RLOCs: the ETR check on an outer destination.</summary>
    public bool IsLocalRloc(IpAddress address)
    {
        foreach (var rloc in Rlocs)
        {
            if (rloc.Address == address)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One published RLOC set: the locators and their IPv4 addresses, replaced together.</summary>
    private sealed class LocalRlocs(Locator[] locators)
    {
        public Locator[] Locators { get; } = locators;

        public uint[] Ipv4 { get; } = [.. locators.Where(l => l.Address.IsV4).Select(l => l.Address.AsV4().Value)];
    }
}
