using System.Text;
using Dataplane.Forwarding.Configuration;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Control.Lisp;

/// <summary>
/// Change-Priority fast mobility (docs/lisp-control-plane.md). When a VM arrives here (<see cref="EidArrived"/>, the hypervisor's H=1),
/// this xTR takes the EID as its own, tells the xTR it came from (H=0, C=0) and registers at once. That previous xTR
/// gives the EID up, points its own map-cache at us, and sends C=1 to every ITR that asked it for the EID recently,
/// which overwrite their map-cache entries on receipt: no wait for a TTL, an SMR round trip or the mapping system.
/// Every message carries a nonce and an HMAC with the shared key; bad ones are dropped and counted.
/// </summary>
public sealed class ChangePriorityAgent
{
    private readonly LispControlContext context;
    private readonly ChangePriorityConfig config;
    private readonly EtrResponder etr;
    private readonly MapRegistrar registrar;
    private readonly byte[] key;
    private readonly NonceMemory nonces = new();
    private readonly PreviousLocatorLookup lookup;
    private readonly HashSet<EidPrefix> givenUp = [];

    public ChangePriorityAgent(LispControlContext context, ChangePriorityConfig config, EtrResponder etr, MapRegistrar registrar)
    {
        this.context = context;
        this.config = config;
        this.etr = etr;
        this.registrar = registrar;
        key = Encoding.UTF8.GetBytes(config.Key);
        lookup = new PreviousLocatorLookup(context);
    }

    /// <summary>Arrivals waiting for the mapping system to say where the EID was.</summary>
    public int LookupsPending => lookup.Count;

    public int PreviousLocatorWaitMilliseconds => config.PreviousLocatorWaitMilliseconds;

    /// <summary>
    /// The hypervisor's H=1: <paramref name="eid"/> now lives behind this xTR. The previous xTR is found in our
    /// map-cache; when the cache has no mapping for the EID, through the mapping system: a Map-Request goes to the
    /// map-resolvers first and the EID is taken (told, registered) when the answer comes, or after
    /// <c>previousLocatorWaitMilliseconds</c> without one (then SMR and TTLs converge the ITRs). Returns what was done.
    /// </summary>
    public EidArrival EidArrived(EidPrefix eid)
    {
        if (context.Tables is not { } tables)
        {
            throw new InvalidOperationException("this node has no LISP tables (an xTR role is needed for eid-moved)");
        }

        if (lookup.IsLooking(eid))
        {
            return new EidArrival([], EidArrival.FromMappingSystem, Registered: false);
        }

        var previous = new List<IpAddress>();
        if (tables.MapCache.FindLongestMatch(eid.InstanceId, eid.Address) is { IsNegative: false } entry)
        {
            var remote = new List<(IpAddress, byte, bool)>();
            foreach (var locator in entry.Locators)
            {
                if (!context.IsLocalRloc(locator.Address))
                {
                    remote.Add((locator.Address, locator.Priority, locator.IsUsable));
                }
            }

            previous = PreferredRlocs(remote);
            if (entry.Prefix == eid)
            {
                tables.MapCache.Remove(eid);
            }
        }

        bool cached = previous.Count > 0;
        bool local = tables.LocalDatabase.EidPrefixes.IndexOf(eid) >= 0;
        if (!cached && !local && lookup.HasResolvers)
        {
            if (lookup.TryStart(eid, context.Now + config.PreviousLocatorWaitMilliseconds))
            {
                context.Log($"change-priority: {eid} arrived and is not in our map-cache: asking the mapping system where it was");
                return new EidArrival([], EidArrival.FromMappingSystem, Registered: false);
            }

            context.Counters.Count(LispControlEvent.MoveLookupLimitReached);
            context.Log($"change-priority: {PreviousLocatorLookup.Limit} arrivals already looked up; {eid} is registered without telling its previous xTR");
        }

        Take(eid, previous);
        return new EidArrival(previous, cached ? EidArrival.FromMapCache : EidArrival.FromNowhere, Registered: true);
    }

    /// <summary>A Map-Reply; true when it answered one of our lookups (the arrival it waited for completes).</summary>
    public bool OnMapReply(MapReply reply)
    {
        if (!lookup.TryAnswer(reply, out var eid, out var previous))
        {
            return false;
        }

        if (previous is not null)
        {
            context.Counters.Count(LispControlEvent.MoveLookupAnswered);
            context.Log($"change-priority: the mapping system placed {eid} at [{string.Join(", ", previous)}]");
            Take(eid, previous);
        }

        return true;
    }

    /// <summary>
    /// Whether <paramref name="eid"/> left us by Change-Priority since the last tick: its requesters got C=1 already,
    /// so no SMR follows (it would send them to the mapping system for what they were just told).
    /// </summary>
    public bool LeftByChangePriority(EidPrefix eid) => givenUp.Contains(eid);

    /// <summary>Arrivals whose lookup got no answer in time: registered anyway, counted and logged.</summary>
    public void OnTick(long now)
    {
        givenUp.Clear();
        foreach (var eid in lookup.Expire(now))
        {
            context.Counters.Count(LispControlEvent.MoveLookupTimedOut);
            context.Log($"change-priority: no answer about {eid} within {config.PreviousLocatorWaitMilliseconds} ms; registering it, SMR and TTLs converge the ITRs");
            Take(eid, []);
        }
    }

    /// <summary>
    /// Where the previous xTR is told: at the RLOCs an ITR would send to, the usable ones of the best priority (all of
    /// them when none is usable). One xTR with two RLOCs (priorities 1 and 2) hears of the move once; two ETRs of a
    /// multihomed site sharing the best priority each hear of it.
    /// </summary>
    public static List<IpAddress> PreferredRlocs(IReadOnlyList<(IpAddress Rloc, byte Priority, bool Usable)> locators)
    {
        var usable = locators.Where(l => l.Usable).ToList();
        if (usable.Count == 0)
        {
            return locators.Select(l => l.Rloc).Distinct().ToList();
        }

        byte best = usable.Min(l => l.Priority);
        return usable.Where(l => l.Priority == best).Select(l => l.Rloc).Distinct().ToList();
    }

    /// <summary>
    /// Tells the ITRs that asked us for <paramref name="prefix"/> recently, with C=1, that its mapping is now
    /// <paramref name="mapping"/>; those in <paramref name="except"/> are skipped. Returns how many were told.
    /// </summary>
    public int TellRequesters(EidPrefix prefix, MappingRecord mapping, IReadOnlyCollection<IpAddress> except)
    {
        int told = 0;
        foreach (var itr in etr.RequestersOf(prefix))
        {
            if (!except.Contains(itr) && !context.IsLocalRloc(itr))
            {
                Send(itr, mapping, h: false, c: true);
                told++;
            }
        }

        return told;
    }

    /// <summary>
    /// The EID is ours: the previous xTR gets H=0,C=0 and we register. The ITRs that asked us for it before (it was
    /// here earlier: a VM moving back) get C=1 from us too: the previous xTR knows only the ITRs that asked it, and an
    /// ITR that learned the previous place from our own C=1 never asked it.
    /// </summary>
    private void Take(EidPrefix eid, IReadOnlyList<IpAddress> previous)
    {
        var tables = context.Tables!;
        tables.LocalDatabase.AddEidPrefix(eid);
        var mapping = LispAddressing.LocalMapping(eid, tables.LocalDatabase.Rlocs, context.Config.MappingTtlMinutes);
        foreach (var rloc in previous)
        {
            Send(rloc, mapping, h: false, c: false);
        }

        TellRequesters(eid, mapping, previous);
        registrar.RegisterNow();
    }

    public void OnChangePriority(ReadOnlySpan<byte> message, IpAddress from)
    {
        if (!ChangePriority.TryParse(message, out var parsed, out bool legacy, out _))
        {
            context.Counters.Count(LispControlEvent.Malformed);
            return;
        }

        if (AuthenticationCheck.Refusal(message, ChangePriority.AuthenticationOffset(legacy), parsed!.KeyId, parsed.AuthenticationData.Length,
                config.KeyId, key) is { } refusal)
        {
            context.Counters.Count(refusal);
            return;
        }

        if (!nonces.TryRemember(parsed.Nonce))
        {
            context.Counters.Count(LispControlEvent.ReplayedNonce);
            return;
        }

        context.Counters.Count(LispControlEvent.ChangePriorityReceived);
        foreach (var record in parsed.Records)
        {
            if (!LispAddressing.TryToEid(record.Eid, out var eid))
            {
                context.Counters.Count(LispControlEvent.UnusableRecord);
                continue;
            }

            if (parsed.H)
            {
                EidArrived(eid);
            }
            else if (!parsed.C)
            {
                GiveUp(eid, record);
            }
            else
            {
                Overwrite(record);
            }
        }
    }

    /// <summary>H=0, C=0 at the previous xTR: stop serving and registering the EID, follow it, and tell the ITRs.</summary>
    private void GiveUp(EidPrefix eid, MappingRecord newMapping)
    {
        if (context.Tables is not { } tables)
        {
            return;
        }

        if (!tables.LocalDatabase.RemoveEidPrefix(eid))
        {
            // Not ours (any more): we told our requesters when we gave it up; following the VM is all there is to do.
            Overwrite(newMapping);
            return;
        }

        givenUp.Add(eid);
        Overwrite(newMapping);
        var newRlocs = new List<IpAddress>();
        foreach (var locator in newMapping.Locators)
        {
            if (LispAddressing.TryToIp(locator.Address, out var rloc))
            {
                newRlocs.Add(rloc); // the new xTR asked us for the EID too, maybe: it needs no C=1 about itself
            }
        }

        TellRequesters(eid, newMapping, newRlocs);
    }

    /// <summary>C=1: the new locators replace the cached ones at once.</summary>
    private void Overwrite(MappingRecord record)
    {
        if (context.Tables is not { } tables)
        {
            return;
        }

        if (LispAddressing.TryToEid(record.Eid, out var eid) && tables.LocalDatabase.EidPrefixes.IndexOf(eid) >= 0)
        {
            // The EID is ours (it arrived here since): a map-cache entry for it would only be stale state.
            context.Counters.Count(LispControlEvent.ChangePriorityForLocalEid);
            return;
        }

        if (LispAddressing.TryToEntry(record, context.TableClock, out var entry, out _) && !entry!.IsNegative)
        {
            tables.MapCache.AddOrReplace(entry);
            context.Counters.Count(LispControlEvent.MapCacheInstalled);
        }
        else
        {
            context.Counters.Count(LispControlEvent.UnusableRecord);
        }
    }

    private void Send(IpAddress to, MappingRecord record, bool h, bool c)
    {
        var message = new ChangePriority(LispControlContext.NewNonce(), config.KeyId,
            new byte[LispAuthentication.AuthenticationLength(config.KeyId)], [record]) { H = h, C = c };
        var bytes = new byte[message.SizeOf(config.LegacyType5)];
        message.WriteSigned(bytes, key, config.LegacyType5);
        context.Send(to, bytes, LispControlEvent.ChangePrioritySent);
    }
}

/// <summary>
/// What <see cref="ChangePriorityAgent.EidArrived"/> did: the previous xTR's RLOCs told now, where they came from
/// (<see cref="FromMapCache"/>, <see cref="FromMappingSystem"/>: asked, the rest follows the answer, or
/// <see cref="FromNowhere"/>), and whether the EID is registered already.
/// </summary>
public sealed record EidArrival(IReadOnlyList<IpAddress> PreviousRlocs, string PreviousFrom, bool Registered)
{
    public const string FromMapCache = "map-cache";
    public const string FromMappingSystem = "mapping-system";
    public const string FromNowhere = "none";
}
