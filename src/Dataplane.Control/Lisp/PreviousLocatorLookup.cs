using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Control.Lisp;

/// <summary>
/// Where an arriving EID was before, when our map-cache does not say: a Map-Request for it to every map-resolver, sent
/// before we register the EID (afterwards the mapping system would answer with ourselves). The first answer wins;
/// the others, and answers after the deadline, are recognised by their nonce and dropped quietly. Lookups are bounded
/// in number (<see cref="Limit"/>) and in time (the configured wait): whatever happens, the arrival completes.
/// </summary>
public sealed class PreviousLocatorLookup(LispControlContext context)
{
    /// <summary>
    /// Arrivals looked up at once: more VMs than arrive at one xTR within one wait, few enough that the EIDs
    /// registered together when the wait ends stay within one Map-Register (255 records).
    /// </summary>
    public const int Limit = 64;

    private readonly IpAddress[] resolvers = context.Config.MapResolvers
        .Select((r, i) => Forwarding.Configuration.ConfigValues.Ip(r, $"lisp.mapResolvers[{i}]")).ToArray();

    private readonly Dictionary<ulong, Lookup> byNonce = [];
    private readonly Dictionary<EidPrefix, ulong> byEid = [];

    public bool HasResolvers => resolvers.Length > 0;

    public int Count => byEid.Count;

    public bool IsLooking(EidPrefix eid) => byEid.ContainsKey(eid);

    /// <summary>Sends the Map-Request for <paramref name="eid"/> to every map-resolver; false when the table is full.</summary>
    public bool TryStart(EidPrefix eid, long deadline)
    {
        if (byNonce.Count >= Limit)
        {
            return false;
        }

        ulong nonce = LispControlContext.NewNonce();
        byNonce[nonce] = new Lookup(eid, deadline);
        byEid[eid] = nonce;
        var request = new MapRequest(nonce, LispAddress.None, MapResolverClient.ItrRlocs(context), [LispAddressing.ToLisp(eid)]);
        foreach (var resolver in resolvers)
        {
            if (context.TrySource(resolver, out var source))
            {
                context.Send(resolver, MapResolverClient.Encapsulated(request, eid, source, resolver), LispControlEvent.MoveLookupSent);
            }
        }

        return true;
    }

    /// <summary>
    /// A Map-Reply: true when its nonce is one of our lookups (answered or late). <paramref name="eid"/> and
    /// <paramref name="previous"/> are set only for the first answer of a lookup still waiting: the locators of
    /// its records that are not ours, the preferred ones (<see cref="ChangePriorityAgent.PreferredRlocs"/>).
    /// </summary>
    public bool TryAnswer(MapReply reply, out EidPrefix eid, out List<IpAddress>? previous)
    {
        eid = default;
        previous = null;
        if (!byNonce.TryGetValue(reply.Nonce, out var lookup))
        {
            return false;
        }

        if (lookup.Answered)
        {
            return true; // a second resolver's answer to the same question
        }

        lookup.Answered = true;
        eid = lookup.Eid;
        byEid.Remove(eid);
        var remote = new List<(IpAddress, byte, bool)>();
        foreach (var record in reply.Records)
        {
            foreach (var locator in record.Locators)
            {
                if (LispAddressing.TryToIp(locator.Address, out var rloc) && !context.IsLocalRloc(rloc))
                {
                    remote.Add((rloc, locator.Priority, locator.Priority != LocatorRecord.UnusablePriority));
                }
            }
        }

        previous = ChangePriorityAgent.PreferredRlocs(remote);
        return true;
    }

    /// <summary>The lookups whose wait is over without an answer; forgets every lookup past its deadline.</summary>
    public List<EidPrefix> Expire(long now)
    {
        List<EidPrefix> unanswered = [];
        foreach (var (nonce, lookup) in byNonce)
        {
            if (now < lookup.Deadline)
            {
                continue;
            }

            byNonce.Remove(nonce);
            if (!lookup.Answered)
            {
                byEid.Remove(lookup.Eid);
                unanswered.Add(lookup.Eid);
            }
        }

        return unanswered;
    }

    private sealed class Lookup(EidPrefix eid, long deadline)
    {
        public EidPrefix Eid { get; } = eid;

        public long Deadline { get; } = deadline;

        public bool Answered { get; set; }
    }
}
