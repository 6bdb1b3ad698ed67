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
/// </summary>
public sealed class MapRegistrar
{
    private readonly LispControlContext context;
    private readonly (MapServerConfig Config, IpAddress Address, byte[] Key)[] servers;
    private const long FirstRetryMilliseconds = 1000;

    private readonly Dictionary<ulong, int> pendingNotifies = [];
    private readonly MapServerRegistration[] state;
    private IReadOnlyList<MappingRecord> registration = [];
    private long nextRegister;

    public MapRegistrar(LispControlContext context)
    {
        this.context = context;
        servers = context.Config.MapServers.Select((s, i) =>
            (s, ConfigValues.Ip(s.Address, $"lisp.mapServers[{i}].address"), Encoding.UTF8.GetBytes(s.Key))).ToArray();
        state = servers.Select(s => new MapServerRegistration(s.Address)).ToArray();
    }

    /// <summary>The registration with each configured map-server, in configuration order.</summary>
    public IReadOnlyList<MapServerRegistration> Servers => state;

    /// <summary>When the next registration round starts, on the control plane's millisecond clock.</summary>
    public long NextRegisterAt => nextRegister;

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

    /// <summary>A Map-Notify from <paramref name="from"/>; true when it confirmed one of our registrations.</summary>
    public bool OnMapNotify(ReadOnlySpan<byte> message, IpAddress from)
    {
        if (!MapNotify.TryParse(message, out var notify, out _))
        {
            context.Counters.Count(LispControlEvent.Malformed);
            return false;
        }

        if (!pendingNotifies.TryGetValue(notify!.Nonce, out int server) || servers[server].Address != from)
        {
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
        state[server].Confirmed = true;
        state[server].RetryAt = null;
        state[server].LastNotifyAt = context.Now;
        context.Counters.Count(LispControlEvent.RegistrationConfirmed);
        return true;
    }
}
