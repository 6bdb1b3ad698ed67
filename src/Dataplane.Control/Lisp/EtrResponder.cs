using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Control.Lisp;

/// <summary>
/// The ETR's side (RFC 9301 5.4, 6.2, 7.1): answers Map-Requests (and RLOC probes) for our own EIDs with our RLOCs,
/// remembers which ITR-RLOCs asked for each EID prefix recently, and when a local mapping changes sends those
/// requesters a Solicit-Map-Request (SMR) so they ask again. The ITR-RLOCs of a Map-Request are not authenticated,
/// so the requesters of one EID prefix are bounded (<see cref="MaxRequestersPerPrefix"/>): a flood of requests with
/// made-up ITR-RLOCs cannot grow the memory without end, nor turn one mapping change into an SMR to every address
/// it named. Past the bound the request is still answered, and counted as RequesterMemoryFull.
/// </summary>
public sealed class EtrResponder(LispControlContext context)
{
    /// <summary>How long a requester is remembered: it may still cache our mapping for about this long.</summary>
    public const long RequesterMemoryMilliseconds = 10 * 60 * 1000;

    /// <summary>
    /// Requesters remembered per EID prefix: far more ITRs than talk to one EID in ten minutes in the deployments this
    /// serves, few enough that the SMRs for one change stay a short burst.
    /// </summary>
    public const int MaxRequestersPerPrefix = 1024;

    private readonly Dictionary<EidPrefix, Dictionary<IpAddress, Requester>> requesters = [];

    /// <summary>The ITR-RLOCs that asked for <paramref name="prefix"/> recently.</summary>
    public IReadOnlyList<IpAddress> RequestersOf(EidPrefix prefix) => RecentRequesters(prefix).Select(p => p.Rloc).ToArray();

    private IEnumerable<(IpAddress Rloc, LispAddress SourceEid)> RecentRequesters(EidPrefix prefix)
    {
        long now = context.Now;
        return requesters.TryGetValue(prefix, out var byRloc)
            ? byRloc.Where(p => now - p.Value.At < RequesterMemoryMilliseconds).Select(p => (p.Key, p.Value.SourceEid)).ToArray()
            : [];
    }

    /// <summary>
    /// A Map-Request for EIDs we may own. <paramref name="from"/> is where it came from (the ITR, or a map-server
    /// forwarding it); the reply goes to the request's first ITR-RLOC we can reach, else back to <paramref name="from"/>.
    /// Returns false when none of its EIDs is ours. <paramref name="to"/> is the address it was sent to, when it came
    /// straight to us: a probe is answered from that RLOC, with the p bit on its locator. The reply goes to the
    /// request's source port <paramref name="fromPort"/> (RFC 9301 5.1; the inner one when a map-server forwarded it).
    /// </summary>
    public bool OnMapRequest(MapRequest request, IpAddress from, IpAddress? to = null, ushort fromPort = TunnelPorts.LispControl)
    {
        if (context.Tables is not { } tables)
        {
            return false;
        }

        var records = new List<MappingRecord>();
        var replyTo = ReplyAddress(request, from);
        foreach (var asked in request.Records)
        {
            if (!LispAddressing.TryToEid(asked, out var eid) ||
                !tables.LocalDatabase.TryFindEidPrefix(eid.InstanceId, eid.Address, out var prefix))
            {
                continue;
            }

            var mapping = LispAddressing.LocalMapping(prefix, tables.LocalDatabase.Rlocs, context.Config.MappingTtlMinutes,
                request.Probe ? to : null);
            records.Add(request.Probe ? mapping : WithMergedSet(prefix, mapping));
            Remember(prefix, replyTo, request.SourceEid);
        }

        if (records.Count == 0 && !request.Probe)
        {
            context.Counters.Count(LispControlEvent.NotForUs);
            return false;
        }

        // A probe is answered even when the EID is no longer ours: the prober wants to know the RLOC is alive.
        var reply = new MapReply(request.Nonce, records) { Probe = request.Probe };
        var message = new byte[reply.Size];
        reply.Write(message);
        var source = request.Probe && to is { } probed && context.IsLocalRloc(probed) ? probed : (IpAddress?)null;
        context.Send(replyTo, message, LispControlEvent.MapReplySent, fromPort, source);
        return true;
    }

    /// <summary>
    /// A local mapping changed (an EID came, went, or its RLOCs changed): SMR everyone who asked for it. The SMR's
    /// source EID is the changed prefix, its record the requester's own EID (the source EID of its Map-Request), as
    /// RFC 6830 6.6.2 reads and Open Overlay Router sends and expects: the receiver checks the record against its own
    /// EIDs and asks again for the source EID. A requester that sent no source EID gets the changed prefix in the
    /// record too, the form our ITR also follows.
    /// </summary>
    public int SolicitRequesters(EidPrefix prefix)
    {
        int sent = 0;
        foreach (var (rloc, sourceEid) in RecentRequesters(prefix))
        {
            var record = sourceEid.IsNone ? LispAddressing.ToLisp(prefix) : LispAddressing.HostPrefix(sourceEid);
            var smr = new MapRequest(LispControlContext.NewNonce(), LispAddressing.ToLisp(prefix.Address, prefix.InstanceId),
                MapResolverClient.ItrRlocs(context), [record]) { Smr = true };
            var message = new byte[smr.Size];
            smr.Write(message);
            if (context.Send(rloc, message, LispControlEvent.SmrSent))
            {
                sent++;
            }
        }

        return sent;
    }

    /// <summary>
    /// The merged locator set of a multihomed site's prefix for a Map-Reply: our locators, then the other ETRs' the
    /// map-server told us (<see cref="MergedSets"/>), so the ITR learns every ETR of the site whichever it asks. A probe
    /// is answered with ours only: it asks about this RLOC, not the site.
    /// </summary>
    private MappingRecord WithMergedSet(EidPrefix prefix, MappingRecord ours)
    {
        if (MergedSets is not { } merged)
        {
            return ours;
        }

        var others = merged.OthersOf(prefix, context.IsLocalRloc, context.Now);
        return others.Count == 0 ? ours : ours with { Locators = [.. ours.Locators, .. others] };
    }

    /// <summary>The merged sets the map-servers told this ETR (the registrar's), when it registers.</summary>
    public LearnedMergedSets? MergedSets { get; set; }

    /// <summary>Forgets requesters nobody heard from for <see cref="RequesterMemoryMilliseconds"/>.</summary>
    public void OnTick(long now)
    {
        foreach (var (prefix, byRloc) in requesters.ToArray())
        {
            Forget(byRloc, now);
            if (byRloc.Count == 0)
            {
                requesters.Remove(prefix);
            }
        }
    }

    private void Remember(EidPrefix prefix, IpAddress requester, LispAddress sourceEid)
    {
        if (!requesters.TryGetValue(prefix, out var byRloc))
        {
            requesters[prefix] = byRloc = [];
        }

        long now = context.Now;
        if (byRloc.Count >= MaxRequestersPerPrefix && !byRloc.ContainsKey(requester))
        {
            Forget(byRloc, now); // the full set may hold ones that are due to go anyway
            if (byRloc.Count >= MaxRequestersPerPrefix)
            {
                // Kept: the ones that asked first (a flood cannot push out the ITRs that cache our mapping).
                context.Counters.Count(LispControlEvent.RequesterMemoryFull);
                return;
            }
        }

        // A probe from the same ITR carries no source EID: keep the one its real requests told us, for the SMR record.
        if (sourceEid.IsNone && byRloc.TryGetValue(requester, out var known))
        {
            sourceEid = known.SourceEid;
        }

        byRloc[requester] = new Requester(now, sourceEid);
    }

    private static void Forget(Dictionary<IpAddress, Requester> byRloc, long now)
    {
        foreach (var (rloc, requester) in byRloc)
        {
            if (now - requester.At >= RequesterMemoryMilliseconds)
            {
                byRloc.Remove(rloc);
            }
        }
    }

    /// <summary>When an ITR-RLOC last asked for a prefix, and the source EID it asked for (AFI 0 when it sent none).</summary>
    private readonly record struct Requester(long At, LispAddress SourceEid);

    private IpAddress ReplyAddress(MapRequest request, IpAddress from)
    {
        foreach (var rloc in request.ItrRlocs)
        {
            if (LispAddressing.TryToIp(rloc, out var address) && context.TrySource(address, out _))
            {
                return address;
            }
        }

        return from;
    }
}
