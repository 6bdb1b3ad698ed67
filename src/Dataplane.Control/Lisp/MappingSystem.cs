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

    public MappingSystem(LispControlContext context, MappingSystemConfig config)
    {
        this.context = context;
        this.config = config;
        sites = config.Sites.Select((s, i) => new Site(s.Name, s.KeyId, Encoding.UTF8.GetBytes(s.Key),
            s.EidPrefixes.Select((p, j) => ConfigValues.Prefix(p, $"lisp.mappingSystem.sites[{i}].eidPrefixes[{j}]")).ToArray(),
            s.AcceptMoreSpecifics, s.TruncatedHmac, s.MaxRegistrations)).ToArray();
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

        long expires = context.Now + config.RegistrationTtlMilliseconds;
        var stored = new List<MappingRecord>(accepted.Count);
        foreach (var (prefix, record) in accepted)
        {
            if (record.TtlMinutes == 0)
            {
                // The registrant withdraws the prefix (its EID went away): gone now, not when it would expire.
                if (registrations.TryGet(prefix, out var held) && held.Registrant == from)
                {
                    Forget(held);
                    context.Counters.Count(LispControlEvent.RegistrationWithdrawn);
                }

                continue;
            }

            bool known = registrations.TryGet(prefix, out var previous);
            if (!known && (registrations.Count >= config.MaxRegistrations || site.RegistrationCount >= site.MaxRegistrations))
            {
                // A new prefix past a bound: refused, while refreshes of what is registered still go through.
                context.Counters.Count(LispControlEvent.RegistrationLimitReached);
                continue;
            }

            if (known && previous.Site != site.Name)
            {
                Forget(previous);
                known = false;
            }

            var registered = relay is null ? record : record with { Locators = relay.Locators };
            registrations.Store(new Registration(prefix, registered, from, site.Name, register.ProxyReply, expires));
            if (!known)
            {
                site.RegistrationCount++;
            }

            stored.Add(record);
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
            if (sitesByName.TryGetValue(registration.Site, out var site))
            {
                site.RegistrationCount--;
            }

            context.Counters.Count(LispControlEvent.RegistrationExpired);
        }
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

    public sealed record Registration(EidPrefix Prefix, MappingRecord Record, IpAddress Registrant, string Site, bool ProxyReply, long ExpiresAt);

    private sealed class Site(string name, ushort keyId, byte[] key, EidPrefix[] prefixes, bool acceptMoreSpecifics, bool? truncatedHmac,
        int maxRegistrations)
    {
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
