using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Lisp;

/// <summary>
/// A local RLOC's priority or weight changed at run time (<c>lisp.rloc-priority</c>), as a traffic-engineering
/// controller does it (the PACAO controller of the Change-Priority thesis): the local database changes, the xTR
/// registers at once, and the ITRs that asked for our EIDs recently are told: with Change-Priority C=1 carrying the
/// new locator set when <c>changePriority</c> is configured (they overwrite their map-cache entry on receipt), else
/// with an SMR (they ask the mapping system again, which forwards to us).
/// </summary>
public sealed class LocalRlocAnnouncer(LispControlContext context, EtrResponder? etr, MapRegistrar? registrar, ChangePriorityAgent? changePriority)
{
    /// <summary>Sets the priority and weight of our RLOC <paramref name="rloc"/> and tells everyone who needs to know.</summary>
    public RlocChange Change(IpAddress rloc, byte priority, byte weight)
    {
        if (context.Tables is not { } tables)
        {
            throw new InvalidOperationException("this node has no LISP tables (an xTR role is needed for rloc-priority)");
        }

        bool changed = Apply(tables.LocalDatabase, rloc, priority, weight);
        context.Counters.Count(LispControlEvent.LocalRlocChanged);
        registrar?.RegisterNow();
        int byChangePriority = 0, bySmr = 0;
        foreach (var prefix in tables.LocalDatabase.EidPrefixes.ToArray())
        {
            if (changePriority is not null)
            {
                var mapping = LispAddressing.LocalMapping(prefix, tables.LocalDatabase.Rlocs, context.Config.MappingTtlMinutes);
                byChangePriority += changePriority.TellRequesters(prefix, mapping, []);
            }
            else if (etr is not null)
            {
                bySmr += etr.SolicitRequesters(prefix);
            }
        }

        context.Log($"local RLOC {rloc}: priority {priority}, weight {weight}; {byChangePriority} ITRs told by Change-Priority, {bySmr} by SMR");
        return new RlocChange(changed, byChangePriority, bySmr);
    }

    /// <summary>
    /// Sets the priority and weight of <paramref name="rloc"/> in <paramref name="database"/> (also what a journal
    /// replay does before the control plane runs); false when they already had those values.
    /// </summary>
    public static bool Apply(LocalDatabase database, IpAddress rloc, byte priority, byte weight)
    {
        var rlocs = database.Rlocs.ToArray();
        int index = Array.FindIndex(rlocs, r => r.Address == rloc);
        if (index < 0)
        {
            throw new ArgumentException($"{rloc} is not one of this xTR's RLOCs");
        }

        if (rlocs[index].Priority == priority && rlocs[index].Weight == weight)
        {
            return false;
        }

        rlocs[index] = rlocs[index] with { Priority = priority, Weight = weight };
        database.SetRlocs(rlocs);
        return true;
    }
}

/// <summary>What <see cref="LocalRlocAnnouncer.Change"/> did: whether the values changed, and how many ITRs were told, and how.</summary>
public sealed record RlocChange(bool Changed, int ToldByChangePriority, int ToldBySmr);
