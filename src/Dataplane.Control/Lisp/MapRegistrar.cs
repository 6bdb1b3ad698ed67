using System.Text;
using Dataplane.Forwarding.Configuration;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.LispControl;

namespace Dataplane.Control.Lisp;

/// <summary>
/// The ETR's registration (RFC 9301 5.6, 5.7): every register interval, and at once when the local EIDs change, a
/// Map-Register of all our EID prefixes with our RLOCs to each map-server, signed with that server's key, asking
/// for a Map-Notify. A Map-Notify is accepted only when its HMAC verifies with the server's key and its nonce is
/// that of a register we sent; anything else is dropped and counted.
/// </summary>
public sealed class MapRegistrar
{
    private readonly LispControlContext context;
    private readonly (MapServerConfig Config, IpAddress Address, byte[] Key)[] servers;
    private readonly Dictionary<ulong, int> pendingNotifies = [];
    private long nextRegister;

    public MapRegistrar(LispControlContext context)
    {
        this.context = context;
        servers = context.Config.MapServers.Select((s, i) =>
            (s, ConfigValues.Ip(s.Address, $"lisp.mapServers[{i}].address"), Encoding.UTF8.GetBytes(s.Key))).ToArray();
    }

    /// <summary>Map-Notifies that confirmed a registration.</summary>
    public long Confirmed => context.Counters[LispControlEvent.RegistrationConfirmed];

    public void OnTick(long now)
    {
        if (servers.Length > 0 && now >= nextRegister)
        {
            RegisterNow();
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

        for (int i = 0; i < servers.Length; i++)
        {
            var (config, address, key) = servers[i];
            ulong nonce = LispControlContext.NewNonce();
            var register = new MapRegister(nonce, config.KeyId, new byte[LispAuthentication.AuthenticationLength(config.KeyId)], records)
            {
                ProxyReply = config.ProxyReply,
                WantMapNotify = true,
            };
            var message = new byte[register.Size];
            register.WriteSigned(message, key);
            if (context.Send(address, message, LispControlEvent.MapRegisterSent))
            {
                pendingNotifies[nonce] = i;
            }
        }
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
        if (notify.KeyId != config.KeyId)
        {
            context.Counters.Count(LispControlEvent.UnknownKeyId);
            return false;
        }

        if (!LispAuthentication.Verify(message, MapNotify.AuthenticationDataOffset, notify.KeyId, key))
        {
            context.Counters.Count(LispControlEvent.BadHmac);
            return false;
        }

        pendingNotifies.Remove(notify.Nonce);
        context.Counters.Count(LispControlEvent.RegistrationConfirmed);
        return true;
    }
}
