using System.Text;
using Dataplane.Control.Lisp.MapServer;
using Dataplane.Forwarding.Configuration;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Control.Lisp;

/// <summary>
/// The map-server and map-resolver role, "msmr" (RFC 9301 5.6-5.7, 8.2-8.4), so a deployment needs no third-party
/// mapping system. Registrations are accepted only from configured sites: the HMAC must verify with the site's key,
/// the nonce must not repeat, and every EID prefix must lie inside what the site may register; anything else is
/// dropped and counted under its reason. Encapsulated Map-Requests are answered from the registrations (when the
/// ETR asked for proxy replies), forwarded to the registering ETR otherwise, or answered negatively.
/// <para>
/// Sized for a million registrations: registrations and site prefixes are found by longest-prefix match
/// (<see cref="PrefixIndex{T}"/>), expiry visits only what is due (<see cref="ExpirySchedule"/>), and the number of
/// registrations is bounded in all and per site, so a flood of registrations is refused and counted, not stored.
/// </para>
/// </summary>
public sealed class MappingSystem
{
    private readonly LispControlContext context;
    private readonly MappingSystemConfig config;
    /// <summary>Registrations expired per tick at most: a mass expiry is spread over ticks, the control thread stays responsive.</summary>
    public const int ExpiriesPerTick = 10_000;

    private readonly Site[] sites;
    private readonly Dictionary<string, Site> sitesByName;
    private readonly PrefixIndex<Site> sitePrefixes = new();
    private readonly RegistrationTable registrations = new();
    private readonly List<Registration> expired = [];
    private readonly XtrIdBindings xtrIds = new();
    private readonly MergedSetNotifier notifier;

    public MappingSystem(LispControlContext context, MappingSystemConfig config)
    {
        this.context = context;
        this.config = config;
        notifier = new MergedSetNotifier(context);
        sites = config.Sites.Select((s, i) => new Site(s.Name, s.KeyId, Encoding.UTF8.GetBytes(s.Key),
            s.EidPrefixes.Select((p, j) => ConfigValues.Prefix(p, $"lisp.mappingSystem.sites[{i}].eidPrefixes[{j}]")).ToArray(),
            s.AcceptMoreSpecifics, s.TruncatedHmac, s.MaxRegistrations, s.MergeRegistrations)).ToArray();
        sitesByName = sites.ToDictionary(s => s.Name, StringComparer.Ordinal);
        foreach (var site in sites)
        {
            foreach (var prefix in site.Prefixes)
            {
                sitePrefixes.TryAdd(prefix, site); // a prefix listed by two sites is the first one's, as in the configuration's order
            }
        }
    }

    public IReadOnlyCollection<Registration> Registrations => registrations;

    /// <summary>The registrations, found by prefix and paged for the control socket.</summary>
    public RegistrationTable Table => registrations;

    /// <summary>
    /// A Map-Register from <paramref name="from"/>; the Map-Notify goes back to its source port (RFC 9301 5.1). A
    /// <paramref name="relay"/> (NAT traversal: an RTR relayed it) replaces each record's locators and takes the Map-Notify.
    /// </summary>
    public void OnMapRegister(ReadOnlySpan<byte> message, IpAddress from, ushort fromPort = TunnelPorts.LispControl, RegistrationRelay? relay = null)
    {
        if (!MapRegister.TryParse(message, out var register, out _))
        {
            context.Counters.Count(LispControlEvent.Malformed);
            return;
        }

        if (!TryAuthenticate(message, register!, out var site, out var accepted))
        {
            return;
        }

        if (register!.Nonce != 0 && !site.RememberNonce(register.Nonce))
        {
            context.Counters.Count(LispControlEvent.ReplayedNonce);
            return;
        }

        var key = RegistrantKey.Of(register, from);
        if (key.HasXtrId && !xtrIds.Permits(key.XtrId, site.Name, register.SiteId))
        {
            // An xTR-ID belongs to the site (and site-ID) that registered it first, while any of its parts lives.
            context.Counters.Count(LispControlEvent.ForgedXtrId);
            return;
        }

        long now = context.Now;
        long expires = now + config.RegistrationTtlMilliseconds;
        bool truncatedForm = register.AuthenticationData.Length == LispAuthentication.AuthenticationLength(site.KeyId, truncated: true);
        var stored = new List<MappingRecord>(accepted.Count);
        foreach (var (prefix, record) in accepted)
        {
            var registered = relay is null ? record : record with { Locators = relay.Locators };
            var part = new RegistrationPart(key, register.SiteId, from, fromPort, registered, register.ProxyReply, site.TruncatedHmac ?? truncatedForm, now, expires);
            bool known = registrations.TryGet(prefix, out var previous);
            if (record.TtlMinutes == 0)
            {
                // The registrant withdraws the prefix (its EID went away): in a merging site its part goes now, not when
                // it would expire. A site that does not merge keeps the registration until the next registrant replaces
                // it (how a move lands): dropped at once, an SMR-invoked request arriving before the new xTR registers
                // would get a negative reply and the ITR would drop the EID's traffic for the negative TTL.
                if (site.MergeRegistrations && known && IndexOf(previous.Parts, key) is int gone and >= 0)
                {
                    Replace(previous, [.. previous.Parts.Where((_, i) => i != gone)], site);
                    context.Counters.Count(LispControlEvent.RegistrationWithdrawn);
                }

                continue;
            }

            if (!known && (registrations.Count >= config.MaxRegistrations || site.RegistrationCount >= site.MaxRegistrations))
            {
                // A new prefix past a bound: refused, while refreshes of what is registered still go through.
                context.Counters.Count(LispControlEvent.RegistrationLimitReached);
                continue;
            }

            if (known && previous.Site != site.Name)
            {
                foreach (var held in previous.Parts)
                {
                    xtrIds.Release(held.Key);
                }

                Forget(previous);
                known = false;
            }

            RegistrationPart[] parts;
            int mine = known ? IndexOf(previous.Parts, key) : -1;
            if (!known || !site.MergeRegistrations)
            {
                parts = [part]; // a site that does not merge: a newer registration replaces the older (how a move lands)
            }
            else if (mine >= 0)
            {
                parts = [.. previous.Parts];
                parts[mine] = part;
            }
            else if (previous.Parts.Any(p => p.SiteId != register.SiteId))
            {
                context.Counters.Count(LispControlEvent.MergeConflict);
                continue;
            }
            else if (previous.Parts.Count >= config.MaxPartsPerPrefix)
            {
                context.Counters.Count(LispControlEvent.PartLimitReached);
                continue;
            }
            else
            {
                parts = [.. previous.Parts, part];
            }

            var registration = known ? Replace(previous, parts, site, notifyExcept: register.WantMapNotify ? key : null) : Add(prefix, parts, site);
            stored.Add(relay is null ? registration!.Record : record); // a NATed xTR is confirmed what it sent
            context.Counters.Count(LispControlEvent.RegistrationAccepted);
        }

        // The Map-Notify confirms what was stored: nothing when every record was refused for a bound.
        if (register.WantMapNotify && (stored.Count > 0 || register.Records.Count == 0))
        {
            // The answer's HMAC has the form the registrant used unless the site says otherwise: it showed what it reads.
            bool truncated = site.TruncatedHmac ?? register.AuthenticationData.Length == LispAuthentication.AuthenticationLength(site.KeyId, truncated: true);
            var notify = new MapNotify(register.Nonce, site.KeyId, new byte[LispAuthentication.AuthenticationLength(site.KeyId, truncated)], stored)
            {
                // RFC 9301 5.7: the xTR-ID and site-ID are copied from the Map-Register it answers.
                XtrIdPresent = register.XtrIdPresent,
                XtrId = register.XtrId,
                SiteId = register.SiteId,
            };
            var bytes = new byte[notify.Size];
            notify.WriteSigned(bytes, site.Key);
            if (relay is not null)
            {
                relay.SendNotify(bytes);
            }
            else
            {
                context.Send(from, bytes, LispControlEvent.MapNotifySent, fromPort);
            }
        }
    }

    /// <summary>
    /// Which site a Map-Register speaks for, and whether it may: each record's EID prefix picks its site (the most
    /// specific site prefix covering it; a more specific registration only where the site accepts more specifics),
    /// then the message must carry that site's key id and verify with its key. Sites are chosen by prefix, not by
    /// trying keys, so several sites may share one key (the usual map-server configuration elsewhere). A message
    /// whose records fall into several sites must verify with each; the first record's site is the one it is
    /// accounted to. False (and counted) when any record has no site, the key id is not the site's, or the HMAC fails.
    /// </summary>
    private bool TryAuthenticate(ReadOnlySpan<byte> message, MapRegister register, out Site site,
        out List<(EidPrefix Prefix, MappingRecord Record)> accepted)
    {
        site = null!;
        accepted = new List<(EidPrefix, MappingRecord)>(register.Records.Count);
        var verified = new HashSet<Site>();
        foreach (var record in register.Records)
        {
            if (!LispAddressing.TryToEid(record.Eid, out var prefix) || SiteFor(prefix) is not { } owner)
            {
                context.Counters.Count(LispControlEvent.PrefixNotAllowed);
                return false; // all or nothing: a site asking for what is not its own is not trusted with the rest
            }

            if (verified.Add(owner) && !Verify(message, register, owner))
            {
                return false;
            }

            site ??= owner;
            accepted.Add((prefix, record));
        }

        if (site is null)
        {
            // No records: nothing to register, but a Map-Notify may be asked for; the key id picks the site.
            site = sites.FirstOrDefault(s => s.KeyId == register.KeyId)!;
            if (site is null)
            {
                context.Counters.Count(LispControlEvent.UnknownKeyId);
                return false;
            }

            return Verify(message, register, site);
        }

        return true;
    }

    private bool Verify(ReadOnlySpan<byte> message, MapRegister register, Site site)
    {
        if (AuthenticationCheck.Refusal(message, MapRegister.AuthenticationDataOffset, register.KeyId, register.AuthenticationData.Length,
                site.KeyId, site.Key) is { } refusal)
        {
            context.Counters.Count(refusal);
            return false;
        }

        return true;
    }

    /// <summary>
    /// The site that may register <paramref name="prefix"/>: the one with the most specific prefix covering it (a
    /// longest match over every site's prefixes), when that prefix is <paramref name="prefix"/> itself or the site
    /// accepts more specifics.
    /// </summary>
    private Site? SiteFor(EidPrefix prefix) =>
        sitePrefixes.TryGetLongest(prefix, out var allowed, out var site) && (allowed == prefix || site.AcceptMoreSpecifics) ? site : null;

    /// <summary>The name of the site that may register <paramref name="prefix"/>, or null: for tests and tools.</summary>
    public string? SiteNameFor(EidPrefix prefix) => SiteFor(prefix)?.Name;

    /// <summary>
    /// An Encapsulated Control Message carrying a Map-Request, as received (<paramref name="payload"/> is the whole
    /// UDP payload, ECM header first), from <paramref name="from"/>.
    /// </summary>
    public void OnEncapsulatedMapRequest(byte[] payload, EncapsulatedControlMessage ecm, MapRequest request)
    {
        var negative = new List<MappingRecord>();
        var proxied = new List<MappingRecord>();
        var forwardTo = new HashSet<IpAddress>();
        foreach (var asked in request.Records)
        {
            if (!LispAddressing.TryToEid(asked, out var eid))
            {
                context.Counters.Count(LispControlEvent.Malformed);
                continue;
            }

            if (TryFind(eid, out var registration))
            {
                if (registration.ProxyReply)
                {
                    // Not authoritative, and none of the locators is local to us, the sender (RFC 9301 5.4: L bit).
                    proxied.Add(registration.Record with
                    {
                        Authoritative = false,
                        Locators = [.. registration.Record.Locators.Select(l => l with { Local = false, Probed = false })],
                    });
                }
                else
                {
                    forwardTo.Add(registration.Registrant);
                }

                continue;
            }

            // Nobody registered it: inside a site's space the site is away (drop); outside, it is not LISP (native).
            var action = sitePrefixes.Covers(eid) ? MappingAction.Drop : MappingAction.NativelyForward;
            negative.Add(new MappingRecord(config.NegativeTtlMinutes, asked, action, Authoritative: true, 0, []));
        }

        foreach (var etr in forwardTo)
        {
            // The ETR answers the ITR itself (RFC 9301 8.2); it reads everything it needs from the ECM.
            context.Send(etr, payload, LispControlEvent.MapRequestForwarded);
        }

        var answer = proxied.Concat(negative).ToList();
        if (answer.Count > 0 && ReplyAddress(request, ecm) is { } itr)
        {
            var reply = new MapReply(request.Nonce, answer);
            var bytes = new byte[reply.Size];
            reply.Write(bytes);
            context.Send(itr, bytes, LispControlEvent.MapReplySent, ecm.InnerSourcePort);
        }
    }

    /// <summary>Expires what is due, at most <see cref="ExpiriesPerTick"/> registrations (the rest at the next ticks).</summary>
    public void OnTick(long now)
    {
        expired.Clear();
        registrations.RemoveExpired(now, ExpiriesPerTick, expired);
        foreach (var registration in expired)
        {
            // Each registrant's part expires on its own: the others stay, and are told their merged set shrank.
            var live = registration.Parts.Where(p => p.ExpiresAt > now).ToArray();
            foreach (var part in registration.Parts.Where(p => p.ExpiresAt <= now))
            {
                xtrIds.Release(part.Key);
                context.Counters.Count(LispControlEvent.RegistrationExpired);
            }

            if (live.Length > 0)
            {
                var rest = Build(registration.Prefix, live, registration.Site);
                registrations.Store(rest);
                NotifyIfChanged(registration, rest, null);
            }
            else if (sitesByName.TryGetValue(registration.Site, out var site))
            {
                site.RegistrationCount--;
            }
        }

        notifier.OnTick(now);
    }

    /// <summary>A Map-Notify-Ack (type 5) for one of the merged-set notifies this map-server sent.</summary>
    public bool OnMapNotifyAck(ReadOnlySpan<byte> message, IpAddress from) => notifier.OnAck(message, from);

    /// <summary>Whether a type-5 message answers a Map-Notify we wait for (its nonce is ours), rather than being a legacy Change-Priority.</summary>
    public bool AwaitsAck(ReadOnlySpan<byte> message) =>
        message.Length >= 12 && notifier.IsWaitingFor(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(message[4..]));

    private Registration Add(EidPrefix prefix, RegistrationPart[] parts, Site site)
    {
        var registration = Build(prefix, parts, site.Name);
        registrations.Store(registration);
        site.RegistrationCount++;
        xtrIds.Hold(parts[0].Key, site.Name, parts[0].SiteId);
        return registration;
    }

    /// <summary>
    /// <paramref name="previous"/> with <paramref name="parts"/> instead of its own (none: gone); registrants whose
    /// merged set changed are told, but <paramref name="notifyExcept"/>, whose Map-Notify answers its register.
    /// </summary>
    private Registration? Replace(Registration previous, RegistrationPart[] parts, Site site, RegistrantKey? notifyExcept = null)
    {
        foreach (var part in parts)
        {
            xtrIds.Hold(part.Key, site.Name, part.SiteId);
        }

        foreach (var part in previous.Parts)
        {
            xtrIds.Release(part.Key);
        }

        if (parts.Length == 0)
        {
            Forget(previous);
            return null;
        }

        var registration = Build(previous.Prefix, parts, site.Name);
        registrations.Store(registration);
        if (site.MergeRegistrations)
        {
            NotifyIfChanged(previous, registration, notifyExcept);
        }

        return registration;
    }

    private void NotifyIfChanged(Registration before, Registration after, RegistrantKey? except)
    {
        if (RegistrationMerge.SameLocators(before.Record, after.Record) || !sitesByName.TryGetValue(after.Site, out var site))
        {
            return;
        }

        foreach (var part in after.Parts)
        {
            if (part.Key != except)
            {
                notifier.Notify(part, after.Record, site.KeyId, site.Key);
            }
        }
    }

    /// <summary>
    /// A prefix's registration from its parts: the merged record, the registrant a Map-Request is forwarded to (the
    /// part heard from last: the one most surely alive, and every ETR of a merging site answers with the merged set
    /// it was told), proxy replies when any part asked for them (the map-server holds the whole merged set), and the
    /// earliest part's expiry (when the schedule must look at it again).
    /// </summary>
    private static Registration Build(EidPrefix prefix, RegistrationPart[] parts, string site)
    {
        var freshest = parts[0];
        bool proxy = false;
        long expires = long.MaxValue;
        foreach (var part in parts)
        {
            freshest = part.RefreshedAt >= freshest.RefreshedAt ? part : freshest;
            proxy |= part.ProxyReply;
            expires = Math.Min(expires, part.ExpiresAt);
        }

        return new Registration(prefix, RegistrationMerge.Merge(parts), freshest.Registrant, site, proxy, expires) { Parts = parts };
    }

    private static int IndexOf(IReadOnlyList<RegistrationPart> parts, RegistrantKey key)
    {
        for (int i = 0; i < parts.Count; i++)
        {
            if (parts[i].Key == key)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The most specific registration covering <paramref name="eid"/>.</summary>
    public bool TryFind(EidPrefix eid, out Registration registration) => registrations.TryFindLongest(eid, out registration);

    private void Forget(Registration registration)
    {
        if (registrations.Remove(registration.Prefix, out _) && sitesByName.TryGetValue(registration.Site, out var site))
        {
            site.RegistrationCount--;
        }
    }

    private IpAddress? ReplyAddress(MapRequest request, EncapsulatedControlMessage ecm)
    {
        foreach (var rloc in request.ItrRlocs)
        {
            if (LispAddressing.TryToIp(rloc, out var address) && context.TrySource(address, out _))
            {
                return address;
            }
        }

        return LispAddressing.TryToIp(ecm.InnerSource, out var source) ? source : null;
    }

    /// <summary>How a registration an RTR relayed is stored and answered (<see cref="NatTraversalMapServer"/>).</summary>
    public sealed record RegistrationRelay(IReadOnlyList<LocatorRecord> Locators, Action<byte[]> SendNotify);

    /// <summary>
    /// One EID prefix's registration: <see cref="Record"/> is the merged set of its <see cref="Parts"/> (one per
    /// registering xTR at a site that merges, else the one registrant), the rest as <see cref="Build"/> says.
    /// </summary>
    public sealed record Registration(EidPrefix Prefix, MappingRecord Record, IpAddress Registrant, string Site, bool ProxyReply, long ExpiresAt)
    {
        public IReadOnlyList<RegistrationPart> Parts { get; init; } = [];
    }

    private sealed class Site(string name, ushort keyId, byte[] key, EidPrefix[] prefixes, bool acceptMoreSpecifics, bool? truncatedHmac,
        int maxRegistrations, bool mergeRegistrations)
    {
        /// <summary>Whether several xTRs' registrations of one prefix are merged (RFC 9301 8.2) instead of the newer replacing the older.</summary>
        public bool MergeRegistrations => mergeRegistrations;

        private readonly NonceMemory nonces = new();

        public string Name => name;

        public ushort KeyId => keyId;

        public byte[] Key => key;

        public EidPrefix[] Prefixes => prefixes;

        public bool AcceptMoreSpecifics => acceptMoreSpecifics;

        /// <summary>The Map-Notify's HMAC form: truncated, full, or (null) the form of the Map-Register it answers.</summary>
        public bool? TruncatedHmac => truncatedHmac;

        /// <summary>Prefixes registered and accounted to this site at most (more are refused and counted).</summary>
        public int MaxRegistrations => maxRegistrations;

        public int RegistrationCount { get; set; }

        /// <summary>False when the nonce was seen recently: a replayed registration.</summary>
        public bool RememberNonce(ulong nonce) => nonces.TryRemember(nonce);
    }
}
