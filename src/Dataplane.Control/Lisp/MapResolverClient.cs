using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Control.Lisp;

/// <summary>
/// The ITR's side of resolution (RFC 9301 5.3, 6.1): on a map-cache miss, an Encapsulated Map-Request to a
/// map-resolver; retransmission with exponential backoff; at most one request per destination per configured
/// interval and a global rate, so a miss storm cannot turn into a request storm; a bounded pending table. A Map-Reply
/// is accepted only for a nonce we are waiting for, and installed with its TTL (negative replies too). SMR-invoked
/// requests go the same way. With several resolvers, each one's health is kept (<see cref="MapResolverHealth"/>):
/// new requests rotate across the resolvers that answer, so the load spreads and a silent one is noticed; a
/// retransmission goes to another resolver than the one that left it unanswered; a resolver marked down gets one
/// request per hold-down to show it is back; when all are down, they are tried in turn.
/// </summary>
public sealed class MapResolverClient
{
    private readonly LispControlContext context;
    private readonly IpAddress[] resolvers;
    private readonly MapResolverHealth[] health;
    private readonly Dictionary<EidPrefix, Pending> pendingByEid = [];
    private readonly Dictionary<ulong, EidPrefix> eidByNonce = [];
    private readonly Dictionary<EidPrefix, long> lastAsked = [];
    private readonly Forwarding.Lisp.TokenBucket global;
    private readonly long giveUpAfter;
    private int rotation;

    public MapResolverClient(LispControlContext context)
    {
        this.context = context;
        resolvers = context.Config.MapResolvers.Select((r, i) => Forwarding.Configuration.ConfigValues.Ip(r, $"lisp.mapResolvers[{i}]")).ToArray();
        health = resolvers.Select(r => new MapResolverHealth(r)).ToArray();
        var settings = context.Config.MapRequests;
        global = new Forwarding.Lisp.TokenBucket(context.ControlClock, settings.GlobalPerSecond);
        giveUpAfter = GiveUpAfter(settings);
    }

    public int PendingCount => pendingByEid.Count;

    /// <summary>Each configured map-resolver's health, in configuration order.</summary>
    public IReadOnlyList<MapResolverHealth> Resolvers => health;

    /// <summary>Destinations remembered for the per-destination interval (bounded: old ones are forgotten).</summary>
    public int RememberedAskCount => lastAsked.Count;

    /// <summary>
    /// A packet to <paramref name="destination"/> in <paramref name="instanceId"/> found no usable mapping.
    /// <paramref name="source"/> is that packet's source, our EID: the Map-Request carries it as its Source EID (RFC
    /// 9301 5.3), which is what the answering ETR later puts in the record of its SMR.
    /// </summary>
    public void OnMiss(uint instanceId, IpAddress destination, bool smrInvoked = false, IpAddress? source = null)
    {
        if (resolvers.Length == 0)
        {
            return;
        }

        var eid = EidPrefix.Host(instanceId, destination);
        if (pendingByEid.ContainsKey(eid))
        {
            return; // already asking; the retransmission timer takes care of it
        }

        var settings = context.Config.MapRequests;
        long now = context.Now;
        if (!smrInvoked && lastAsked.TryGetValue(eid, out long last) && now - last < 1000 / settings.PerDestinationPerSecond)
        {
            context.Counters.Count(LispControlEvent.RateLimited);
            return;
        }

        if (pendingByEid.Count >= settings.PendingLimit)
        {
            context.Counters.Count(LispControlEvent.PendingLimitReached);
            return;
        }

        if (!global.TryTake())
        {
            context.Counters.Count(LispControlEvent.RateLimited);
            return;
        }

        var pending = new Pending(eid, LispControlContext.NewNonce(), smrInvoked)
        {
            SourceEid = source is { } s && s.Family == destination.Family ? LispAddressing.ToLisp(s, instanceId) : LispAddress.None,
            NextAt = now + settings.RetransmitMilliseconds,
            GiveUpAt = now + giveUpAfter,
        };
        pendingByEid[eid] = pending;
        eidByNonce[pending.Nonce] = eid;
        lastAsked[eid] = now;
        Send(pending, ChooseResolver(now, avoid: -1), retransmission: false);
        if (lastAsked.Count > 4 * settings.PendingLimit)
        {
            ForgetOldAsks(now);
        }
    }

    /// <summary>
    /// Retransmits what is due; gives up once the configured retransmissions' time is over. Retransmissions take
    /// their token from the same global bucket as new requests, so the Map-Requests on the wire, all of them, stay
    /// within <c>GlobalPerSecond</c> (in a cache-miss storm, without that, 100 new requests a second came with up to 300
    /// retransmissions a second). A due retransmission without a token waits for a later tick; the give-up time
    /// is fixed when the request is first sent, so a pending request lives a bounded time whatever the rate limit does.
    /// </summary>
    public void OnTick(long now)
    {
        List<Pending>? expired = null;
        foreach (var pending in pendingByEid.Values)
        {
            if (now >= pending.NextAt && !pending.LastAttemptJudged)
            {
                // Its retransmission time passed without an answer: the resolver asked last left it unanswered.
                pending.LastAttemptJudged = true;
                Unanswered(pending.Resolver, now);
            }

            if (now >= pending.GiveUpAt)
            {
                (expired ??= []).Add(pending);
                continue;
            }

            if (now < pending.NextAt || pending.Attempts > context.Config.MapRequests.MaxRetransmits)
            {
                continue;
            }

            if (!global.TryTake())
            {
                if (!pending.Deferred)
                {
                    pending.Deferred = true;
                    context.Counters.Count(LispControlEvent.RetransmissionRateLimited);
                }

                continue;
            }

            pending.Deferred = false;
            pending.NextAt = now + (context.Config.MapRequests.RetransmitMilliseconds << Math.Min(pending.Attempts, 10));
            Send(pending, ChooseResolver(now, avoid: pending.Resolver), retransmission: true);
        }

        foreach (var pending in expired ?? [])
        {
            Forget(pending);
            context.Counters.Count(LispControlEvent.MapRequestGaveUp);
        }
    }

    /// <summary>A Map-Reply (not a probe reply): installed when its nonce is one we wait for; false otherwise.</summary>
    public bool OnMapReply(MapReply reply)
    {
        if (!eidByNonce.TryGetValue(reply.Nonce, out var asked))
        {
            return false;
        }

        var pending = pendingByEid[asked];
        Forget(pending);
        Answered(pending.Resolver);
        foreach (var record in reply.Records)
        {
            Install(NarrowedNegative(record, asked));
        }

        return true;
    }

    /// <summary>
    /// A negative record that does not describe the EID asked about precisely enough becomes one for that EID alone:
    /// one for the whole address space (<c>0.0.0.0/0</c>, <c>::/0</c>), or one whose prefix does not even cover it.
    /// Open Overlay Router's map-resolver answers every EID outside its sites with <c>0.0.0.0/0</c> (No-Action), and
    /// computes the negative prefix next to a site with a wrong bit (a prefix beside the EID). Cached as they are, the
    /// first would cover every EID not resolved yet and send them all natively, without a Map-Request, until it
    /// expired; the second would leave the asked EID missing and asked for again every second. RFC 9301 8.1 wants the
    /// least specific prefix that covers the EID and no registered one; when the answer is not that, all we know is
    /// that the asked EID is outside the mapping system.
    /// </summary>
    private MappingRecord NarrowedNegative(MappingRecord record, EidPrefix asked)
    {
        if (record.Locators.Count != 0 || !LispAddressing.TryToEid(record.Eid, out var prefix)
            || (prefix.PrefixLength != 0 && prefix.Covers(asked)))
        {
            return record;
        }

        context.Log($"map-reply: negative {prefix} narrowed to the EID asked about, {asked}");
        return record with { Eid = LispAddressing.ToLisp(asked) };
    }

    /// <summary>Puts a mapping into the map-cache (positive or negative), replacing what was there for that prefix.</summary>
    public void Install(MappingRecord record)
    {
        if (context.Tables is not { } tables)
        {
            return;
        }

        if (!LispAddressing.TryToEntry(record, context.TableClock, out var entry, out string problem))
        {
            context.Counters.Count(LispControlEvent.UnusableRecord);
            context.Log($"map-reply: {problem}");
            return;
        }

        tables.MapCache.AddOrReplace(entry!);
        context.Counters.Count(entry!.IsNegative ? LispControlEvent.NegativeMapCacheInstalled : LispControlEvent.MapCacheInstalled);
    }

    /// <summary>
    /// The resolver for the next transmission: in turn among those that may be asked (up, or down with their
    /// hold-down over: that one request is their trial), other than <paramref name="avoid"/> (the one that just left
    /// this request unanswered) when there is another; when every one is down and held down, the next in turn.
    /// </summary>
    private int ChooseResolver(long now, int avoid)
    {
        int count = health.Length;
        for (int pass = 0; pass < 2; pass++)
        {
            for (int k = 0; k < count; k++)
            {
                int index = (rotation + k) % count;
                if ((pass == 0 && index == avoid) || !health[index].Eligible(now))
                {
                    continue;
                }

                rotation = index + 1;
                if (!health[index].Up)
                {
                    health[index].RetryAt = now + context.Config.MapRequests.ResolverRetrySeconds * 1000L;
                }

                return index;
            }
        }

        int next = rotation % count;
        if (next == avoid && count > 1)
        {
            next = (next + 1) % count;
        }

        rotation = next + 1;
        return next;
    }

    private void Unanswered(int index, long now)
    {
        var resolver = health[index];
        resolver.UnansweredInARow++;
        if (resolver.Up && resolver.UnansweredInARow >= context.Config.MapRequests.ResolverDownAfter)
        {
            resolver.Up = false;
            resolver.RetryAt = now + context.Config.MapRequests.ResolverRetrySeconds * 1000L;
            context.Counters.Count(LispControlEvent.MapResolverDown);
            context.Log($"map-resolver {resolver.Address} down: {resolver.UnansweredInARow} Map-Requests in a row unanswered");
        }
    }

    private void Answered(int index)
    {
        var resolver = health[index];
        resolver.Answered++;
        resolver.UnansweredInARow = 0;
        resolver.LastAnswerAt = context.Now;
        if (!resolver.Up)
        {
            resolver.Up = true;
            context.Counters.Count(LispControlEvent.MapResolverUp);
            context.Log($"map-resolver {resolver.Address} up: it answered");
        }
    }

    private void Send(Pending pending, int resolverIndex, bool retransmission)
    {
        var resolver = resolvers[resolverIndex];
        pending.Resolver = resolverIndex;
        pending.LastAttemptJudged = false;
        pending.Attempts++;
        health[resolverIndex].Sent++;
        if (!context.TrySource(resolver, out var source))
        {
            return;
        }

        var request = new MapRequest(pending.Nonce, pending.SourceEid, ItrRlocs(context), [LispAddressing.ToLisp(pending.Eid)])
        {
            SmrInvoked = pending.SmrInvoked,
        };
        context.Send(resolver, Encapsulated(request, pending.Eid, source, resolver), retransmission ? LispControlEvent.MapRequestRetransmitted
            : pending.SmrInvoked ? LispControlEvent.SmrInvokedRequestSent : LispControlEvent.MapRequestSent);
    }

    /// <summary>
    /// <paramref name="request"/> for <paramref name="eid"/> in the Encapsulated Control Message a map-resolver takes.
    /// The ECM's inner packet goes from our RLOC (<paramref name="source"/>) to the EID itself (RFC 9301 5.8): the
    /// map-resolver reads the EID there; to the resolver when the EID's family is not the RLOC's.
    /// </summary>
    internal static byte[] Encapsulated(MapRequest request, EidPrefix eid, IpAddress source, IpAddress resolver)
    {
        var message = new byte[request.Size];
        request.Write(message);
        var innerSource = LispAddressing.ToLisp(source);
        var innerDestination = eid.Address.Family == source.Family ? LispAddressing.ToLisp(eid.Address) : LispAddressing.ToLisp(resolver);
        var ecm = new byte[EncapsulatedControlHeader.EncapsulatedSize(innerSource, message.Length)];
        EncapsulatedControlHeader.Plain.WriteEncapsulated(ecm, innerSource, innerDestination, Wire.Tunnels.TunnelPorts.LispControl, message);
        return ecm;
    }

    /// <summary>Our RLOCs, where replies may come back to.</summary>
    internal static IReadOnlyList<LispAddress> ItrRlocs(LispControlContext context)
    {
        var rlocs = new List<LispAddress>();
        foreach (var rloc in context.LocalRlocs)
        {
            rlocs.Add(LispAddressing.ToLisp(rloc.Address));
        }

        return rlocs;
    }

    private void Forget(Pending pending)
    {
        pendingByEid.Remove(pending.Eid);
        eidByNonce.Remove(pending.Nonce);
    }

    /// <summary>
    /// How long a request stays pending: its retransmission schedule (the interval, doubling: 1 + 2 + 4 + 8 s for
    /// three retransmissions at 1 s), after which the last one is given up on.
    /// </summary>
    private static long GiveUpAfter(Forwarding.Configuration.MapRequestConfig settings)
    {
        long total = 0;
        for (int attempt = 0; attempt <= settings.MaxRetransmits; attempt++)
        {
            total += (long)settings.RetransmitMilliseconds << Math.Min(attempt, 10);
        }

        return total;
    }

    private void ForgetOldAsks(long now)
    {
        long horizon = (long)(1000 / context.Config.MapRequests.PerDestinationPerSecond);
        foreach (var (eid, at) in lastAsked.ToArray())
        {
            if (now - at >= horizon)
            {
                lastAsked.Remove(eid);
            }
        }
    }

    private sealed class Pending(EidPrefix eid, ulong nonce, bool smrInvoked)
    {
        public EidPrefix Eid { get; } = eid;

        public ulong Nonce { get; } = nonce;

        public bool SmrInvoked { get; } = smrInvoked;

        /// <summary>The EID the missing packet came from (AFI 0 when not known: an SMR-invoked request).</summary>
        public LispAddress SourceEid { get; init; } = LispAddress.None;

        public int Attempts { get; set; }

        public long NextAt { get; set; }

        public long GiveUpAt { get; init; }

        /// <summary>The resolver the latest transmission went to (index into the configured resolvers).</summary>
        public int Resolver { get; set; }

        /// <summary>The latest transmission's retransmission time passed and it was counted unanswered.</summary>
        public bool LastAttemptJudged { get; set; }

        /// <summary>The due retransmission is waiting for the global rate limit (counted once per wait).</summary>
        public bool Deferred { get; set; }
    }
}
