using System.Text;
using Dataplane.Forwarding.Configuration;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Control.Lisp;

/// <summary>
/// Change-Priority fast mobility (docs/lisp-control-plane.md). When a VM arrives here (<see cref="EidArrived"/>, the hypervisor's H=1),
/// this xTR takes the EID as its own, tells the xTR it came from (H=0, C=0) and registers at once. That previous xTR
/// gives the EID up, points its own map-cache at us, and sends C=1 to every ITR that asked it for the EID recently,
/// which overwrite their map-cache entries on receipt: no wait for a TTL, an SMR round trip or the mapping system.
/// Every message carries a nonce and an HMAC with the shared key; bad ones are dropped and counted.
/// </summary>
public sealed class ChangePriorityAgent
{
    private readonly LispControlContext context;
    private readonly ChangePriorityConfig config;
    private readonly EtrResponder etr;
    private readonly MapRegistrar registrar;
    private readonly byte[] key;
    private readonly NonceMemory nonces = new();

    public ChangePriorityAgent(LispControlContext context, ChangePriorityConfig config, EtrResponder etr, MapRegistrar registrar)
    {
        this.context = context;
        this.config = config;
        this.etr = etr;
        this.registrar = registrar;
        key = Encoding.UTF8.GetBytes(config.Key);
    }

    /// <summary>
    /// The hypervisor's H=1: <paramref name="eid"/> now lives behind this xTR. Returns the previous xTR's RLOCs told
    /// (from our map-cache; none when we never had a mapping for it).
    /// </summary>
    public IReadOnlyList<IpAddress> EidArrived(EidPrefix eid)
    {
        if (context.Tables is not { } tables)
        {
            throw new InvalidOperationException("this node has no LISP tables (an xTR role is needed for eid-moved)");
        }

        var previous = new List<IpAddress>();
        if (tables.MapCache.FindLongestMatch(eid.InstanceId, eid.Address) is { IsNegative: false } cached)
        {
            foreach (var locator in cached.Locators)
            {
                if (!context.IsLocalRloc(locator.Address))
                {
                    previous.Add(locator.Address);
                }
            }

            if (cached.Prefix == eid)
            {
                tables.MapCache.Remove(eid);
            }
        }

        tables.LocalDatabase.AddEidPrefix(eid);
        var mapping = LispAddressing.LocalMapping(eid, tables.LocalDatabase.Rlocs, context.Config.MappingTtlMinutes);
        foreach (var rloc in previous)
        {
            Send(rloc, mapping, h: false, c: false);
        }

        registrar.RegisterNow();
        return previous;
    }

    public void OnChangePriority(ReadOnlySpan<byte> message, IpAddress from)
    {
        if (!ChangePriority.TryParse(message, out var parsed, out bool legacy, out _))
        {
            context.Counters.Count(LispControlEvent.Malformed);
            return;
        }

        if (AuthenticationCheck.Refusal(message, ChangePriority.AuthenticationOffset(legacy), parsed!.KeyId, parsed.AuthenticationData.Length,
                config.KeyId, key) is { } refusal)
        {
            context.Counters.Count(refusal);
            return;
        }

        if (!nonces.TryRemember(parsed.Nonce))
        {
            context.Counters.Count(LispControlEvent.ReplayedNonce);
            return;
        }

        context.Counters.Count(LispControlEvent.ChangePriorityReceived);
        foreach (var record in parsed.Records)
        {
            if (!LispAddressing.TryToEid(record.Eid, out var eid))
            {
                context.Counters.Count(LispControlEvent.UnusableRecord);
                continue;
            }

            if (parsed.H)
            {
                EidArrived(eid);
            }
            else if (!parsed.C)
            {
                GiveUp(eid, record);
            }
            else
            {
                Overwrite(record);
            }
        }
    }

    /// <summary>H=0, C=0 at the previous xTR: stop serving and registering the EID, follow it, and tell the ITRs.</summary>
    private void GiveUp(EidPrefix eid, MappingRecord newMapping)
    {
        if (context.Tables is not { } tables)
        {
            return;
        }

        tables.LocalDatabase.RemoveEidPrefix(eid);
        Overwrite(newMapping);
        foreach (var itr in etr.RequestersOf(eid))
        {
            Send(itr, newMapping, h: false, c: true);
        }
    }

    /// <summary>C=1: the new locators replace the cached ones at once.</summary>
    private void Overwrite(MappingRecord record)
    {
        if (context.Tables is not { } tables)
        {
            return;
        }

        if (LispAddressing.TryToEntry(record, context.TableClock, out var entry, out _) && !entry!.IsNegative)
        {
            tables.MapCache.AddOrReplace(entry);
            context.Counters.Count(LispControlEvent.MapCacheInstalled);
        }
        else
        {
            context.Counters.Count(LispControlEvent.UnusableRecord);
        }
    }

    private void Send(IpAddress to, MappingRecord record, bool h, bool c)
    {
        var message = new ChangePriority(LispControlContext.NewNonce(), config.KeyId,
            new byte[LispAuthentication.AuthenticationLength(config.KeyId)], [record]) { H = h, C = c };
        var bytes = new byte[message.SizeOf(config.LegacyType5)];
        message.WriteSigned(bytes, key, config.LegacyType5);
        context.Send(to, bytes, LispControlEvent.ChangePrioritySent);
    }
}
