using Dataplane.Forwarding.Configuration;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Control.Lisp;

/// <summary>
/// The RTR's half of LISP NAT traversal, in the form Open Overlay Router's xTR and RTR use:
/// <list type="number">
/// <item>The NATed xTR sends its Map-Register to us in an ECM with R set in the second octet; the inner IP header
/// goes from its private RLOC to the map-server, the outer one arrives from its NAT's address and port. We remember
/// that translation under the register's nonce and relay the inner packet unchanged to the map-server (it must be one
/// of <c>natTraversal.mapServers</c>), in a new ECM with N set.</item>
/// <item>The map-server answers with an ECM (R set) holding the Map-Notify, addressed (inner IP) to the xTR's private
/// RLOC. Matched by nonce to the relayed register, it makes each of its EID prefixes a NATed xTR of ours: a map-cache
/// entry whose one locator is the NAT's address with the translated port (<see cref="Locator.TranslatedPort"/>), so
/// the encapsulation stage sends data for it to that port, from UDP 4342. The inner packet goes on to the xTR inside
/// a LISP data header with instance 0xFFFFFF (OOR's "data Map-Notify"), from 4342 to the translated port, which the
/// NAT takes for the answer to the register and delivers to the xTR's data port.</item>
/// <item>Data from the NATed xTR reaches us as ordinary LISP data and is decapsulated and re-encapsulated by the
/// RTR's stages; data toward its EIDs finds the entry above.</item>
/// </list>
/// Bounds: at most <c>natTraversal.natedXtrLimit</c> NATed EID prefixes and as many registers waiting for their
/// Map-Notify (5 s each); a NATed xTR not confirmed again within <c>natedXtrSeconds</c> is forgotten with its entry.
/// </summary>
public sealed class NatTraversalRtr
{
    /// <summary>How long a relayed Map-Register waits for its Map-Notify.</summary>
    public const long PendingMilliseconds = 5000;

    /// <summary>The instance id of the LISP data header around a Map-Notify passed on to a NATed xTR (what OOR's RTR sends and its xTR reads).</summary>
    public const uint DataMapNotifyInstanceId = 0xFF_FFFF;

    private readonly LispControlContext context;
    private readonly NatTraversalConfig config;
    private readonly HashSet<IpAddress> mapServers;
    private readonly Dictionary<ulong, PendingRegister> pending = [];
    private readonly Dictionary<EidPrefix, NatedXtr> nated = [];
    private long nextRepair;

    public NatTraversalRtr(LispControlContext context, NatTraversalConfig config)
    {
        this.context = context;
        this.config = config;
        mapServers = [.. config.MapServers.Select((m, i) => ConfigValues.Ip(m, $"lisp.natTraversal.mapServers[{i}]"))];
    }

    /// <summary>The NATed xTRs we relay for, by EID prefix.</summary>
    public IReadOnlyDictionary<EidPrefix, NatedXtr> NatedXtrs => nated;

    /// <summary>Registers relayed and still waiting for their Map-Notify.</summary>
    public int PendingRegisters => pending.Count;

    /// <summary>
    /// An ECM for the RTR (R set): a NATed xTR's Map-Register, or the map-server's Map-Notify for one. False when it is
    /// not NAT-traversal business (the caller counts it); true when handled or refused here (counted here).
    /// </summary>
    public bool OnEncapsulated(byte[] payload, EncapsulatedControlMessage ecm, IpAddress from, ushort fromPort)
    {
        if (!ecm.Header.RtrProcess)
        {
            return false;
        }

        var inner = ecm.MessageIn(payload);
        if (inner.IsEmpty)
        {
            return false;
        }

        switch ((LispMessageType)(inner[0] >> 4))
        {
            case LispMessageType.MapRegister:
                OnMapRegister(payload, ecm, inner, from, fromPort);
                return true;
            case LispMessageType.MapNotify:
                OnMapNotify(payload, ecm, inner, from);
                return true;
            default:
                return false;
        }
    }

    private void OnMapRegister(byte[] payload, EncapsulatedControlMessage ecm, ReadOnlySpan<byte> inner, IpAddress from, ushort fromPort)
    {
        context.Counters.Count(LispControlEvent.MapRegisterReceived);
        if (!MapRegister.TryParse(inner, out var register, out _) || !LispAddressing.TryToIp(ecm.InnerSource, out var privateRloc)
            || !LispAddressing.TryToIp(ecm.InnerDestination, out var mapServer) || !from.IsV4)
        {
            context.Counters.Count(LispControlEvent.Malformed);
            return;
        }

        if (!mapServers.Contains(mapServer))
        {
            context.Counters.Count(LispControlEvent.UnknownMapServer); // not an open relay toward any address an xTR names
            return;
        }

        if (!pending.ContainsKey(register!.Nonce) && pending.Count >= config.NatedXtrLimit)
        {
            ExpirePending(context.Now);
            if (pending.Count >= config.NatedXtrLimit)
            {
                context.Counters.Count(LispControlEvent.NatedXtrTableFull);
                return;
            }
        }

        pending[register.Nonce] = new PendingRegister(from, fromPort, privateRloc, mapServer, context.Now + PendingMilliseconds);

        // The xTR's inner IP packet, unchanged (its HMAC is the map-server's to check), behind a new ECM header with N set.
        var relayed = new byte[payload.Length];
        (EncapsulatedControlHeader.Plain with { RtrRelayed = true }).Write(relayed);
        payload.AsSpan(EncapsulatedControlHeader.Length).CopyTo(relayed.AsSpan(EncapsulatedControlHeader.Length));
        context.Send(mapServer, relayed, LispControlEvent.MapRegisterRelayed);
    }

    private void OnMapNotify(byte[] payload, EncapsulatedControlMessage ecm, ReadOnlySpan<byte> inner, IpAddress from)
    {
        context.Counters.Count(LispControlEvent.MapNotifyReceived);
        if (!mapServers.Contains(from))
        {
            context.Counters.Count(LispControlEvent.UnknownMapServer);
            return;
        }

        if (!MapNotify.TryParse(inner, out var notify, out _))
        {
            context.Counters.Count(LispControlEvent.Malformed);
            return;
        }

        // Only the answer to a register we relayed, from the map-server it went to, for the xTR it came from.
        if (!pending.Remove(notify!.Nonce, out var register) || register.MapServer != from
            || !LispAddressing.TryToIp(ecm.InnerDestination, out var to) || to != register.PrivateRloc)
        {
            context.Counters.Count(LispControlEvent.UnmatchedMapNotify);
            return;
        }

        long expires = context.Now + config.NatedXtrSeconds * 1000L;
        foreach (var record in notify.Records)
        {
            if (!LispAddressing.TryToEid(record.Eid, out var eid))
            {
                context.Counters.Count(LispControlEvent.UnusableRecord);
                continue;
            }

            if (!nated.ContainsKey(eid) && nated.Count >= config.NatedXtrLimit)
            {
                context.Counters.Count(LispControlEvent.NatedXtrTableFull);
                continue;
            }

            var xtr = new NatedXtr(eid, register.Translated, register.TranslatedPort, register.PrivateRloc, expires);
            nated[eid] = xtr;
            Install(xtr);
        }

        // The map-server's inner IP packet (to the private RLOC) behind a LISP data header, through the NAT.
        var data = new byte[8 + payload.Length - EncapsulatedControlHeader.Length];
        data[0] = 0x08; // I: an instance id follows; no nonce
        data[4] = 0xFF;
        data[5] = 0xFF;
        data[6] = 0xFF; // instance 0xFFFFFF, locator-status bits 0
        payload.AsSpan(EncapsulatedControlHeader.Length).CopyTo(data.AsSpan(8));
        context.Send(register.Translated, data, LispControlEvent.MapNotifyRelayed, register.TranslatedPort);
    }

    public void OnTick(long now)
    {
        ExpirePending(now);
        foreach (var (eid, xtr) in nated.Where(n => now >= n.Value.ExpiresAt).ToArray())
        {
            nated.Remove(eid);
            context.Tables?.MapCache.Remove(eid);
            context.Counters.Count(LispControlEvent.NatedXtrExpired);
        }

        // Once a second, put back an entry something else replaced (a Map-Reply for the same prefix names us, the
        // RTR, as its locator: installed, it would send the xTR's traffic back to ourselves).
        if (now >= nextRepair)
        {
            nextRepair = now + 1000;
            foreach (var xtr in nated.Values)
            {
                if (context.Tables is { } tables && (!tables.MapCache.TryGet(xtr.Eid, out var entry) || !IsEntryOf(entry, xtr)))
                {
                    Install(xtr);
                }
            }
        }
    }

    private void ExpirePending(long now)
    {
        foreach (var (nonce, _) in pending.Where(p => now >= p.Value.ExpiresAt).ToArray())
        {
            pending.Remove(nonce);
        }
    }

    private void Install(NatedXtr xtr)
    {
        if (context.Tables is not { } tables)
        {
            return;
        }

        var ttlMinutes = (uint)((config.NatedXtrSeconds + 59) / 60);
        tables.MapCache.AddOrReplace(MapCacheEntry.Create(xtr.Eid, [new Locator(xtr.Translated, 1, 100, TranslatedPort: xtr.TranslatedPort)], ttlMinutes, context.TableClock));
        context.Counters.Count(LispControlEvent.MapCacheInstalled);
    }

    private static bool IsEntryOf(MapCacheEntry entry, NatedXtr xtr) =>
        entry.Locators.Length == 1 && entry.Locators[0].Address == xtr.Translated && entry.Locators[0].TranslatedPort == xtr.TranslatedPort;

    /// <summary>An xTR behind a NAT we relay for: its EID prefix, its NAT's address and port for it, its private RLOC.</summary>
    public sealed record NatedXtr(EidPrefix Eid, IpAddress Translated, ushort TranslatedPort, IpAddress PrivateRloc, long ExpiresAt);

    private sealed record PendingRegister(IpAddress Translated, ushort TranslatedPort, IpAddress PrivateRloc, IpAddress MapServer, long ExpiresAt);
}
