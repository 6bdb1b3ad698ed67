using System.Text;
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
/// </summary>
public sealed class MappingSystem
{
    private readonly LispControlContext context;
    private readonly MappingSystemConfig config;
    private readonly Site[] sites;
    private readonly Dictionary<EidPrefix, Registration> registrations = [];

    public MappingSystem(LispControlContext context, MappingSystemConfig config)
    {
        this.context = context;
        this.config = config;
        sites = config.Sites.Select((s, i) => new Site(s.Name, s.KeyId, Encoding.UTF8.GetBytes(s.Key),
            s.EidPrefixes.Select((p, j) => ConfigValues.Prefix(p, $"lisp.mappingSystem.sites[{i}].eidPrefixes[{j}]")).ToArray(),
            s.AcceptMoreSpecifics, s.TruncatedHmac)).ToArray();
    }

    public IReadOnlyCollection<Registration> Registrations => registrations.Values;

    /// <summary>A Map-Register from <paramref name="from"/>; the Map-Notify goes back to its source port (RFC 9301 5.1).</summary>
    public void OnMapRegister(ReadOnlySpan<byte> message, IpAddress from, ushort fromPort = TunnelPorts.LispControl)
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

        long expires = context.Now + config.RegistrationTtlMinutes * 60_000L;
        foreach (var (prefix, record) in accepted)
        {
            registrations[prefix] = new Registration(prefix, record, from, site.Name, register.ProxyReply, expires);
            context.Counters.Count(LispControlEvent.RegistrationAccepted);
        }

        if (register.WantMapNotify)
        {
            // The answer's HMAC has the form the registrant used unless the site says otherwise: it showed what it reads.
            bool truncated = site.TruncatedHmac ?? register.AuthenticationData.Length == LispAuthentication.AuthenticationLength(site.KeyId, truncated: true);
            var notify = new MapNotify(register.Nonce, site.KeyId, new byte[LispAuthentication.AuthenticationLength(site.KeyId, truncated)], register.Records);
            var bytes = new byte[notify.Size];
            notify.WriteSigned(bytes, site.Key);
            context.Send(from, bytes, LispControlEvent.MapNotifySent, fromPort);
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

    /// <summary>The site that may register <paramref name="prefix"/>: the one with the most specific prefix covering it.</summary>
    private Site? SiteFor(EidPrefix prefix)
    {
        Site? best = null;
        EidPrefix bestPrefix = default;
        foreach (var site in sites)
        {
            foreach (var allowed in site.Prefixes)
            {
                if (allowed.Covers(prefix) && (best is null || allowed.PrefixLength > bestPrefix.PrefixLength))
                {
                    best = site;
                    bestPrefix = allowed;
                }
            }
        }

        return best is not null && (bestPrefix == prefix || best.AcceptMoreSpecifics) ? best : null;
    }

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
            var action = sites.Any(s => s.Covers(eid)) ? MappingAction.Drop : MappingAction.NativelyForward;
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

    public void OnTick(long now)
    {
        foreach (var (prefix, registration) in registrations.ToArray())
        {
            if (now >= registration.ExpiresAt)
            {
                registrations.Remove(prefix);
                context.Counters.Count(LispControlEvent.RegistrationExpired);
            }
        }
    }

    /// <summary>The most specific registration covering <paramref name="eid"/>.</summary>
    public bool TryFind(EidPrefix eid, out Registration registration)
    {
        registration = null!;
        foreach (var candidate in registrations.Values)
        {
            if (candidate.Prefix.Covers(eid) && (registration is null || candidate.Prefix.PrefixLength > registration.Prefix.PrefixLength))
            {
                registration = candidate;
            }
        }

        return registration is not null;
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

    public sealed record Registration(EidPrefix Prefix, MappingRecord Record, IpAddress Registrant, string Site, bool ProxyReply, long ExpiresAt);

    private sealed class Site(string name, ushort keyId, byte[] key, EidPrefix[] prefixes, bool acceptMoreSpecifics, bool? truncatedHmac)
    {
        private readonly NonceMemory nonces = new();

        public string Name => name;

        public ushort KeyId => keyId;

        public byte[] Key => key;

        public EidPrefix[] Prefixes => prefixes;

        public bool AcceptMoreSpecifics => acceptMoreSpecifics;

        /// <summary>The Map-Notify's HMAC form: truncated, full, or (null) the form of the Map-Register it answers.</summary>
        public bool? TruncatedHmac => truncatedHmac;

        /// <summary>Whether <paramref name="prefix"/> lies in this site's space (for the action of a negative reply).</summary>
        public bool Covers(EidPrefix prefix) => prefixes.Any(p => p.Covers(prefix));

        /// <summary>False when the nonce was seen recently: a replayed registration.</summary>
        public bool RememberNonce(ulong nonce) => nonces.TryRemember(nonce);
    }
}
