using System.Text;
using Dataplane.Forwarding.Configuration;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Control.Lisp;

/// <summary>
/// The map-server's half of LISP NAT traversal (draft-ermagan-lisp-nat-traversal, as Open Overlay Router speaks it):
/// <list type="bullet">
/// <item>An Info-Request, authenticated with the key of the site its EID prefix belongs to, is answered with an
/// Info-Reply carrying the NAT-Traversal LCAF: the requester's address and port as they reached us (its NAT's
/// translation), our address and port, and the RTRs of <c>natTraversal.rtrs</c>. Requests are rate-limited per
/// source and in all before any HMAC is computed (<see cref="InfoRequestLimiter"/>).</item>
/// <item>A Map-Register an RTR relays (an ECM with N set in its second octet, from one of our RTRs, holding the
/// xTR's own ECM'd register: inner IP from its private RLOC) goes through the ordinary registration checks, with
/// the RTR's RLOC as the EID's only locator: the xTR's private RLOC is unreachable from outside its NAT, and an xTR
/// cannot make us register an RLOC of its choosing through the RTR. The Map-Notify goes back to the RTR in an ECM
/// (R set) whose inner IP header is addressed to the xTR's private RLOC, for the RTR to pass on through the NAT.</item>
/// </list>
/// </summary>
public sealed class NatTraversalMapServer
{
    private readonly LispControlContext context;
    private readonly MappingSystem mappingSystem;
    private readonly NatTraversalConfig config;
    private readonly HashSet<IpAddress> rtrs;
    private readonly LispAddress[] rtrAddresses;
    private readonly SiteKey[] sites;
    private readonly InfoRequestLimiter limiter;
    private readonly NonceMemory nonces = new();

    public NatTraversalMapServer(LispControlContext context, MappingSystem mappingSystem, MappingSystemConfig mappingConfig, NatTraversalConfig config)
    {
        this.context = context;
        this.mappingSystem = mappingSystem;
        this.config = config;
        var rtrIps = config.Rtrs.Select((r, i) => ConfigValues.Ip(r, $"lisp.natTraversal.rtrs[{i}]")).ToArray();
        rtrs = [.. rtrIps];
        rtrAddresses = rtrIps.Select(r => LispAddressing.ToLisp(r)).ToArray();
        sites = mappingConfig.Sites.Select((s, i) => new SiteKey(s.KeyId, Encoding.UTF8.GetBytes(s.Key),
            s.EidPrefixes.Select((p, j) => ConfigValues.Prefix(p, $"lisp.mappingSystem.sites[{i}].eidPrefixes[{j}]")).ToArray(),
            s.AcceptMoreSpecifics, s.TruncatedHmac)).ToArray();
        limiter = new InfoRequestLimiter(() => context.Now, config.InfoRequestsPerSecond, config.InfoRequestsPerSourcePerSecond, config.InfoRequestSourceLimit);
    }

    /// <summary>Sources whose Info-Request rate is being tracked (bounded by natTraversal.infoRequestSourceLimit).</summary>
    public int TrackedInfoRequestSources => limiter.TrackedSources;

    /// <summary>An Info-Request (or a stray Info-Reply) that reached us on UDP 4342.</summary>
    public void OnInfo(UdpDatagram datagram)
    {
        context.Counters.Count(LispControlEvent.InfoRequestReceived);
        if (!limiter.TryAdmit(datagram.Source, datagram.SourcePort))
        {
            context.Counters.Count(LispControlEvent.InfoRequestRateLimited);
            return;
        }

        var payload = datagram.Payload;
        if (!InfoMessage.TryParse(payload, out var request, out _))
        {
            context.Counters.Count(LispControlEvent.Malformed);
            return;
        }

        if (request!.IsReply)
        {
            context.Counters.Count(LispControlEvent.NotForUs);
            return;
        }

        if (!LispAddressing.TryToEid(new LispPrefix(request.Eid, request.EidMaskLength), out var eid) || SiteFor(eid) is not { } site)
        {
            context.Counters.Count(LispControlEvent.PrefixNotAllowed);
            return;
        }

        if (AuthenticationCheck.Refusal(payload, InfoMessage.AuthenticationDataOffset, request.KeyId, request.AuthenticationData.Length,
                site.KeyId, site.Key) is { } refusal)
        {
            context.Counters.Count(refusal);
            return;
        }

        if (!nonces.TryRemember(request.Nonce))
        {
            context.Counters.Count(LispControlEvent.ReplayedNonce);
            return;
        }

        // What the NAT made of the requester is what we saw; the private RLOC is the xTR's own to know (AFI 0, as
        // Open Overlay Router's map-server sends it: the request does not carry it).
        var nat = new NatTraversalAddresses(TunnelPorts.LispControl, datagram.SourcePort, LispAddressing.ToLisp(datagram.Source),
            LispAddressing.ToLisp(datagram.Destination), LispAddress.None, rtrAddresses);
        bool truncated = site.TruncatedHmac ?? request.AuthenticationData.Length == LispAuthentication.AuthenticationLength(site.KeyId, truncated: true);
        var reply = new InfoMessage(true, request.Nonce, site.KeyId, new byte[LispAuthentication.AuthenticationLength(site.KeyId, truncated)],
            config.InfoReplyTtlMinutes, request.Eid, request.EidMaskLength, nat);
        var bytes = new byte[reply.Size];
        reply.WriteSigned(bytes, site.Key);
        context.Send(datagram.Source, bytes, LispControlEvent.InfoReplySent, datagram.SourcePort, source: datagram.Destination);
    }

    /// <summary>
    /// An ECM holding a Map-Register that an RTR relays for a NATed xTR; <paramref name="from"/> is the RTR. False
    /// when it is not a relayed registration at all (the caller counts it).
    /// </summary>
    public bool OnRelayedMapRegister(byte[] payload, EncapsulatedControlMessage ecm, IpAddress from)
    {
        if (!ecm.Header.RtrRelayed)
        {
            return false;
        }

        if (!rtrs.Contains(from))
        {
            context.Counters.Count(LispControlEvent.UnknownRtr);
            return true;
        }

        if (!LispAddressing.TryToIp(ecm.InnerSource, out var privateRloc) || !LispAddressing.TryToIp(ecm.InnerDestination, out var ourAddress))
        {
            context.Counters.Count(LispControlEvent.Malformed);
            return true;
        }

        var relay = new MappingSystem.RegistrationRelay([new LocatorRecord(1, 100, 255, 0, false, false, true, LispAddressing.ToLisp(from))],
            notify => SendNotifyThroughRtr(notify, from, ourAddress, privateRloc, ecm.InnerSourcePort));
        mappingSystem.OnMapRegister(ecm.MessageIn(payload), from, TunnelPorts.LispControl, relay);
        return true;
    }

    /// <summary>The Map-Notify in an ECM (R set) to the RTR; its inner IP and UDP go to the xTR's private RLOC and port.</summary>
    private void SendNotifyThroughRtr(byte[] notify, IpAddress rtr, IpAddress ourAddress, IpAddress privateRloc, ushort xtrPort)
    {
        var inner = LispAddressing.ToLisp(ourAddress);
        var ecm = new byte[EncapsulatedControlHeader.EncapsulatedSize(inner, notify.Length)];
        (EncapsulatedControlHeader.Plain with { RtrProcess = true }).WriteEncapsulated(ecm, inner, LispAddressing.ToLisp(privateRloc),
            TunnelPorts.LispControl, notify, innerDestinationPort: xtrPort);
        context.Send(rtr, ecm, LispControlEvent.MapNotifySent);
    }

    /// <summary>The site whose prefixes hold <paramref name="eid"/> (the most specific), as the map-server picks it for a Map-Register.</summary>
    private SiteKey? SiteFor(EidPrefix eid)
    {
        SiteKey? best = null;
        EidPrefix bestPrefix = default;
        foreach (var site in sites)
        {
            foreach (var allowed in site.Prefixes)
            {
                if (allowed.Covers(eid) && (best is null || allowed.PrefixLength > bestPrefix.PrefixLength))
                {
                    best = site;
                    bestPrefix = allowed;
                }
            }
        }

        return best is not null && (bestPrefix == eid || best.AcceptMoreSpecifics) ? best : null;
    }

    private sealed record SiteKey(ushort KeyId, byte[] Key, EidPrefix[] Prefixes, bool AcceptMoreSpecifics, bool? TruncatedHmac);
}
