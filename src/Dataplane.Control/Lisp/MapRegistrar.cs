using System.Text;
using Dataplane.Forwarding.Configuration;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Control.Lisp;

/// <summary>
/// The ETR's registration (RFC 9301 5.6, 5.7): every register interval, and at once when the local EIDs change, a
/// Map-Register of all our EID prefixes with our RLOCs to each map-server, signed with that server's key, asking
/// for a Map-Notify. Until a server's Map-Notify comes, the register to it is repeated after 1, 2, 4 ... seconds
/// (the first one may be lost while the next hop is being resolved), up to the register interval. A Map-Notify is
/// accepted only when its HMAC verifies with the server's key and its nonce is that of a register we sent;
/// anything else is dropped and counted.
/// <para>
/// Every register carries our xTR-ID and site-ID (the I bit), so a map-server merges a multihomed site's ETRs per
/// xTR (RFC 9301 8.2). The Map-Notify's records are the merged set, kept in <see cref="MergedSets"/>. A map-server
/// also tells us when the merged set changes, by a Map-Notify whose nonce is not one of ours (RFC 9301 5.7): it is
/// accepted when it comes from a configured map-server, names our xTR-ID (I bit) and verifies with that server's
/// key; it is acknowledged by a Map-Notify-Ack (type 5) every time it comes (a retransmission means our ack was
/// lost), and learned the first time. A replay of a Map-Notify that answered one of our registers is refused. When a
/// local EID goes away, its registration is withdrawn at once (a record TTL of 0), so a map-server drops our part of
/// the merged set instead of keeping it until it expires.
/// </para>
/// </summary>
public sealed class MapRegistrar
{
    private readonly LispControlContext context;
    private readonly (MapServerConfig Config, IpAddress Address, byte[] Key)[] servers;
    private const long FirstRetryMilliseconds = 1000;

    private readonly Dictionary<ulong, int> pendingNotifies = [];
    private readonly MapServerRegistration[] state;
    private readonly NonceMemory answeredNonces = new();
    private readonly NonceMemory unsolicitedNonces = new();
    private IReadOnlyList<MappingRecord> registration = [];
    private long nextRegister;

    public MapRegistrar(LispControlContext context)
    {
        this.context = context;
        servers = context.Config.MapServers.Select((s, i) =>
            (s, ConfigValues.Ip(s.Address, $"lisp.mapServers[{i}].address"), Encoding.UTF8.GetBytes(s.Key))).ToArray();
        state = servers.Select(s => new MapServerRegistration(s.Address)).ToArray();
        Identity = XtrIdentity.From(context.Config);
        MergedSets = new LearnedMergedSets(3L * context.Config.RegisterIntervalSeconds * 1000);
    }

    /// <summary>The registration with each configured map-server, in configuration order.</summary>
    public IReadOnlyList<MapServerRegistration> Servers => state;

    /// <summary>When the next registration round starts, on the control plane's millisecond clock.</summary>
    public long NextRegisterAt => nextRegister;

    /// <summary>The control clock (ms), for ages of what the registrar keeps.</summary>
    public long Now => context.Now;

    /// <summary>The xTR-ID and site-ID of our Map-Registers.</summary>
    public XtrIdentity Identity { get; }

    /// <summary>The merged locator sets the map-servers told us for our EID prefixes.</summary>
    public LearnedMergedSets MergedSets { get; }

    /// <summary>Map-Notifies that confirmed a registration.</summary>
    public long Confirmed => context.Counters[LispControlEvent.RegistrationConfirmed];

    public void OnTick(long now)
    {
        if (servers.Length > 0 && now >= nextRegister)
        {
            RegisterNow();
            return;
        }

        for (int i = 0; i < servers.Length; i++)
        {
            var server = state[i];
            if (!server.Confirmed && server.RetryAt is { } at && now >= at)
            {
                RegisterWith(i);
            }
        }
    }

    /// <summary>Registers all local EIDs with every map-server now, and restarts the interval.</summary>
    public void RegisterNow()
    {
        nextRegister = context.Now + context.Config.RegisterIntervalSeconds * 1000L;
        if (context.Tables is not { } tables || tables.LocalDatabase.EidPrefixes.Length == 0)
        {
            return;
        }

        var records = new List<MappingRecord>();
        foreach (var prefix in tables.LocalDatabase.EidPrefixes)
        {
            records.Add(LispAddressing.LocalMapping(prefix, tables.LocalDatabase.Rlocs, context.Config.MappingTtlMinutes));
        }

        if (pendingNotifies.Count > 1024)
        {
            pendingNotifies.Clear(); // notifies that never came: the next round asks again
        }

        registration = records;
        for (int i = 0; i < servers.Length; i++)
        {
            state[i].NewRound();
            RegisterWith(i);
        }
    }

    private void RegisterWith(int index)
    {
        var (config, address, key) = servers[index];
        var server = state[index];
        ulong nonce = LispControlContext.NewNonce();
        var register = new MapRegister(nonce, config.KeyId, new byte[LispAuthentication.AuthenticationLength(config.KeyId, config.TruncatedHmac)], registration)
        {
            ProxyReply = config.ProxyReply,
            WantMapNotify = true,
            XtrIdPresent = true,
            XtrId = Identity.XtrId,
            SiteId = Identity.SiteId,
        };
        var message = new byte[register.Size];
        register.WriteSigned(message, key);
        if (context.Send(address, message, LispControlEvent.MapRegisterSent))
        {
            pendingNotifies[nonce] = index;
        }

        long wait = FirstRetryMilliseconds << Math.Min(server.Attempts++, 16);
        server.RetryAt = context.Now + wait < nextRegister ? context.Now + wait : null;
    }

    /// <summary>
    /// Withdraws the registration of <paramref name="prefixes"/> (local EIDs that went away) from every map-server: a
    /// Map-Register whose records have a TTL of 0, our RLOCs in them so the map-server knows which part is ours.
    /// </summary>
    public void Withdraw(IReadOnlyCollection<EidPrefix> prefixes)
    {
        foreach (var prefix in prefixes)
        {
            MergedSets.Forget(prefix);
        }

        if (prefixes.Count == 0 || servers.Length == 0)
        {
            return;
        }

        var records = prefixes.Select(p => LispAddressing.LocalMapping(p, context.LocalRlocs, 0)).ToArray();
        foreach (var (config, address, key) in servers)
        {
            var register = new MapRegister(LispControlContext.NewNonce(), config.KeyId,
                new byte[LispAuthentication.AuthenticationLength(config.KeyId, config.TruncatedHmac)], records)
            {
                ProxyReply = config.ProxyReply,
                XtrIdPresent = true,
                XtrId = Identity.XtrId,
                SiteId = Identity.SiteId,
            };
            var message = new byte[register.Size];
            register.WriteSigned(message, key);
            context.Send(address, message, LispControlEvent.MapRegisterSent);
        }
    }

    /// <summary>A Map-Notify from <paramref name="from"/>; true when it confirmed one of our registrations or told us a merged set.</summary>
    public bool OnMapNotify(ReadOnlySpan<byte> message, IpAddress from)
    {
        if (!MapNotify.TryParse(message, out var notify, out _))
        {
            context.Counters.Count(LispControlEvent.Malformed);
            return false;
        }

        if (!pendingNotifies.TryGetValue(notify!.Nonce, out int server) || servers[server].Address != from)
        {
            if (!answeredNonces.Contains(notify.Nonce) && ServerAt(from) is int sender && notify.XtrIdPresent && notify.XtrId == Identity.XtrId)
            {
                return OnUnsolicitedMapNotify(message, notify, sender);
            }

            context.Counters.Count(LispControlEvent.UnmatchedMapNotify);
            return false;
        }

        var (config, _, key) = servers[server];
        if (AuthenticationCheck.Refusal(message, MapNotify.AuthenticationDataOffset, notify.KeyId, notify.AuthenticationData.Length,
                config.KeyId, key) is { } refusal)
        {
            context.Counters.Count(refusal);
            return false;
        }

        pendingNotifies.Remove(notify.Nonce);
        answeredNonces.TryRemember(notify.Nonce);
        state[server].Confirmed = true;
        state[server].RetryAt = null;
        state[server].LastNotifyAt = context.Now;
        context.Counters.Count(LispControlEvent.RegistrationConfirmed);
        LearnMergedSets(notify, from);
        return true;
    }

    /// <summary>
    /// A map-server telling us, unasked, the merged set of one of our prefixes (RFC 9301 5.7): verified with that
    /// server's key, acknowledged each time it comes, learned the first time (a retransmission carries nothing new,
    /// and learning a repeated nonce again would let a replay roll a newer set back).
    /// </summary>
    private bool OnUnsolicitedMapNotify(ReadOnlySpan<byte> message, MapNotify notify, int server)
    {
        var (config, address, key) = servers[server];
        if (AuthenticationCheck.Refusal(message, MapNotify.AuthenticationDataOffset, notify.KeyId, notify.AuthenticationData.Length,
                config.KeyId, key) is { } refusal)
        {
            context.Counters.Count(refusal);
            return false;
        }

        if (unsolicitedNonces.TryRemember(notify.Nonce))
        {
            context.Counters.Count(LispControlEvent.UnsolicitedMapNotifyAccepted);
            LearnMergedSets(notify, address);
        }

        var ack = notify with { IsAcknowledgement = true, ForRtr = false, AuthenticationData = new byte[notify.AuthenticationData.Length] };
        var bytes = new byte[ack.Size];
        ack.WriteSigned(bytes, key);
        context.Send(address, bytes, LispControlEvent.MapNotifyAckSent);
        return true;
    }

    /// <summary>The records of a Map-Notify for our own prefixes are their merged sets; any other record is not ours to keep.</summary>
    private void LearnMergedSets(MapNotify notify, IpAddress server)
    {
        if (context.Tables is not { } tables)
        {
            return;
        }

        var local = tables.LocalDatabase.EidPrefixes;
        foreach (var record in notify.Records)
        {
            if (LispAddressing.TryToEid(record.Eid, out var prefix) && local.Contains(prefix))
            {
                MergedSets.Learn(prefix, record.Locators, server, context.Now);
            }
        }
    }

    private int? ServerAt(IpAddress address)
    {
        for (int i = 0; i < servers.Length; i++)
        {
            if (servers[i].Address == address)
            {
                return i;
            }
        }

        return null;
    }
}
