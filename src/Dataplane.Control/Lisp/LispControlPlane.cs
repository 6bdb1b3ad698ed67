using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Lisp;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;
using Dataplane.Runtime.Workers;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;
using Dataplane.Wire.Tunnels;
using Dataplane.Forwarding.Configuration;

namespace Dataplane.Control.Lisp;

/// <summary>
/// The LISP control plane on UDP 4342 (RFC 9301), as one control-thread service: it takes the packets the workers
/// punt (control messages addressed to us, and the data packets that missed the map-cache), hands each message to
/// the part that owns it, and runs their timers. Which parts exist follows the roles: ITR/PITR/RTR resolve, ETR
/// answers and registers, msmr is the mapping system; RLOC probing and Change-Priority when configured.
/// </summary>
public sealed class LispControlPlane : IControlPlaneService
{
    private readonly LispControlContext context;
    private readonly Func<IpAddress, bool> isLocalAddress;
    private readonly System.Collections.Concurrent.ConcurrentQueue<Action> calls = new();
    private readonly ForwardedRequestMemory handledRequests = new();
    private HashSet<EidPrefix> knownLocalEids;

    public LispControlPlane(LispControlContext context, DataplaneRoles roles, Func<IpAddress, bool> isLocalAddress)
    {
        this.context = context;
        this.isLocalAddress = isLocalAddress;
        var config = context.Config;
        context.IsOwnAddress = Owns;
        if (roles.HasAny(DataplaneRoles.LispEncapsulating))
        {
            Resolver = new MapResolverClient(context);
        }

        if (roles.HasAny(DataplaneRoles.LispDecapsulating))
        {
            Etr = new EtrResponder(context);
            Registrar = new MapRegistrar(context);
        }

        if (roles.HasAny(DataplaneRoles.Msmr))
        {
            MappingSystem = new MappingSystem(context, config.MappingSystem ?? new());
            if (config.NatTraversal is { } natMapServer)
            {
                NatMapServer = new NatTraversalMapServer(context, MappingSystem, config.MappingSystem ?? new(), natMapServer);
            }
        }

        if (roles.HasAny(DataplaneRoles.Rtr) && config.NatTraversal is { } natRtr)
        {
            NatRtr = new NatTraversalRtr(context, natRtr);
        }

        if (config.RlocProbing is { } probing && context.Tables is not null)
        {
            Prober = new RlocProber(context, probing);
        }

        if (config.ChangePriority is { } changePriority && context.Tables is not null)
        {
            ChangePriority = new ChangePriorityAgent(context, changePriority, Etr ??= new EtrResponder(context), Registrar ??= new MapRegistrar(context));
        }

        if (context.Tables is not null)
        {
            LocalRlocs = new LocalRlocAnnouncer(context, Etr, Registrar, ChangePriority);
        }

        if (Etr is not null && Registrar is not null)
        {
            Etr.MergedSets = Registrar.MergedSets;
        }

        knownLocalEids = LocalEids();
    }

    public LispControlCounters Counters => context.Counters;

    /// <summary>The control plane's clock, in milliseconds (what its timers and health records are stamped with).</summary>
    public long Now => context.Now;

    /// <summary>Whether <paramref name="address"/> is one of this node's addresses (its RLOCs and port addresses).</summary>
    public bool Owns(IpAddress address) => isLocalAddress(address) || context.IsLocalRloc(address);

    public MapResolverClient? Resolver { get; }

    public EtrResponder? Etr { get; }

    public MapRegistrar? Registrar { get; }

    public MappingSystem? MappingSystem { get; }

    /// <summary>The map-server's NAT traversal (Info-Replies, relayed registrations): msmr with natTraversal.</summary>
    public NatTraversalMapServer? NatMapServer { get; }

    /// <summary>The RTR's NAT traversal (relaying NATed xTRs' registrations, their table): rtr with natTraversal.</summary>
    public NatTraversalRtr? NatRtr { get; }

    public RlocProber? Prober { get; }

    public ChangePriorityAgent? ChangePriority { get; }

    /// <summary>Run-time changes of our RLOCs' priorities and weights (xTRs: every node with LISP tables).</summary>
    public LocalRlocAnnouncer? LocalRlocs { get; }

    /// <summary>The control plane for a forwarding plane, or null when its configuration has no LISP control to do.</summary>
    public static LispControlPlane? Create(ForwardingPlane plane, Func<byte[], bool> inject, Func<long> nowMilliseconds, Action<string>? log = null)
    {
        if (plane.Config.Lisp is not { } lisp)
        {
            return null;
        }

        var tables = plane.Feature<LispDecapsulationFeature>()?.Tables ?? plane.Feature<LispEncapsulationFeature>()?.Tables;
        if (tables is null && !plane.HasRole(DataplaneRoles.Msmr))
        {
            return null;
        }

        var context = new LispControlContext(lisp, tables, plane.Options.Clock, inject, nowMilliseconds, log);
        return new LispControlPlane(context, plane.Roles, plane.LocalAddressSet.Contains);
    }

    public void OnPunt(in PacketDescriptor packet)
    {
        var kind = packet.Kind;
        if (kind is not (PacketKind.LispControl or PacketKind.NativeIpv4 or PacketKind.NativeIpv6) ||
            !UdpDatagram.TryReadAddresses(packet, out var source, out var destination))
        {
            return;
        }

        if (kind == PacketKind.LispControl || isLocalAddress(destination))
        {
            if (UdpDatagram.TryRead(packet, out var datagram) && datagram.DestinationPort == TunnelPorts.LispControl)
            {
                HandleDatagram(datagram with { ReceivedAtUnixNanoseconds = packet.Timestamp });
            }

            return;
        }

        // Not for us: a data packet the ITR punted because the map-cache had no usable mapping for it.
        Resolver?.OnMiss(packet.InstanceId, destination, source: source);
    }

    /// <summary>A LISP control message that arrived on UDP 4342 for one of our addresses.</summary>
    public void HandleDatagram(UdpDatagram datagram)
    {
        var payload = datagram.Payload;
        if (payload.Length == 0)
        {
            context.Counters.Count(LispControlEvent.Malformed);
            return;
        }

        switch ((LispMessageType)(payload[0] >> 4))
        {
            case LispMessageType.MapRequest:
                if (!MapRequest.TryParse(payload, out var request, out _))
                {
                    context.Counters.Count(LispControlEvent.Malformed);
                    return;
                }

                context.Counters.Count(LispControlEvent.MapRequestReceived);
                OnMapRequest(request!, datagram.Source, datagram.Destination, datagram.SourcePort);
                return;

            case LispMessageType.MapReply:
                if (!MapReply.TryParse(payload, out var reply, out _))
                {
                    context.Counters.Count(LispControlEvent.Malformed);
                    return;
                }

                context.Counters.Count(LispControlEvent.MapReplyReceived);
                bool expected = reply!.Probe ? Prober?.OnProbeReply(reply, datagram.Source, datagram.ReceivedAtUnixNanoseconds) ?? false
                    : ChangePriority?.OnMapReply(reply) == true || (Resolver?.OnMapReply(reply) ?? false);
                if (!expected)
                {
                    context.Counters.Count(LispControlEvent.UnmatchedMapReply);
                }

                return;

            case LispMessageType.MapRegister:
                context.Counters.Count(LispControlEvent.MapRegisterReceived);
                if (MappingSystem is null)
                {
                    context.Counters.Count(LispControlEvent.NotForUs);
                    return;
                }

                MappingSystem.OnMapRegister(payload, datagram.Source, datagram.SourcePort);
                return;

            case LispMessageType.MapNotify:
                context.Counters.Count(LispControlEvent.MapNotifyReceived);
                if (Registrar is null)
                {
                    context.Counters.Count(LispControlEvent.UnmatchedMapNotify);
                    return;
                }

                Registrar.OnMapNotify(payload, datagram.Source);
                return;

            case LispMessageType.MapNotifyAck when MappingSystem is not null
                && (context.Config.ChangePriority?.LegacyType5 != true || ChangePriority is null || MappingSystem.AwaitsAck(payload)):
                // A registrant acknowledging the merged set we told it (RFC 9301 5.7); with the legacy Change-Priority
                // encoding also on, only a type 5 whose nonce we wait for is taken as an ack.
                MappingSystem.OnMapNotifyAck(payload, datagram.Source);
                return;

            case LispMessageType.MapNotifyAck when context.Config.ChangePriority?.LegacyType5 == true && ChangePriority is not null:
                // Type 5 is Map-Notify-Ack in RFC 9301; the thesis's CP used it too, so with the legacy option it is CP.
                ChangePriority.OnChangePriority(payload, datagram.Source);
                return;

            case LispMessageType.Info:
                if (NatMapServer is null)
                {
                    context.Counters.Count(LispControlEvent.NotForUs);
                    return;
                }

                NatMapServer.OnInfo(datagram);
                return;

            case LispMessageType.EncapsulatedControl:
                OnEncapsulated(payload, datagram.Source, datagram.SourcePort);
                return;

            case LispMessageType.SharedExtension when ChangePriority is not null:
                ChangePriority.OnChangePriority(payload, datagram.Source);
                return;

            default:
                context.Counters.Count(LispControlEvent.NotForUs);
                return;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the control thread (where every part of the control plane lives) at its next
    /// round, and waits for the result: how the control socket reaches in without locks.
    /// </summary>
    public T Call<T>(Func<T> work, TimeSpan timeout)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        calls.Enqueue(() =>
        {
            try
            {
                result.SetResult(work());
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        });
        if (!result.Task.Wait(timeout))
        {
            throw new TimeoutException($"the control thread did not run the request within {timeout.TotalSeconds:F0} s");
        }

        return result.Task.Result;
    }

    public void OnTick(long nowMilliseconds)
    {
        while (calls.TryDequeue(out var call))
        {
            call();
        }

        TrackLocalEids();
        Resolver?.OnTick(nowMilliseconds);
        Etr?.OnTick(nowMilliseconds);
        Registrar?.OnTick(nowMilliseconds);
        MappingSystem?.OnTick(nowMilliseconds);
        NatRtr?.OnTick(nowMilliseconds);
        Prober?.OnTick(nowMilliseconds);
        ChangePriority?.OnTick(nowMilliseconds);
    }

    private void OnMapRequest(MapRequest request, IpAddress from, IpAddress? to, ushort fromPort)
    {
        if (request.Smr)
        {
            OnSolicitMapRequest(request);
            return;
        }

        if (Etr is null || !Etr.OnMapRequest(request, from, to, fromPort))
        {
            context.Counters.Count(LispControlEvent.NotForUs);
        }
    }

    /// <summary>
    /// An ETR says its mapping changed: ask the mapping system again (SMR-invoked), for the EIDs we cache. Two forms
    /// are in use and both are followed: the changed EID in the source-EID field and our own EID in the record (RFC
    /// 6830 6.6.2, what Open Overlay Router sends), or the changed EID in the record (how RFC 9301's text can be
    /// read). Nothing authenticates an SMR, so one naming no EID we cache is refused (RFC 9301 6.3: the ITR need not
    /// ask then): honoured, anyone on the underlay could fill our map-cache with EIDs of its choosing and spend the
    /// Map-Request budget our own misses need. The answer comes from the mapping system, never from the SMR's sender.
    /// </summary>
    private void OnSolicitMapRequest(MapRequest request)
    {
        if (Resolver is null || context.Tables is not { } tables)
        {
            context.Counters.Count(LispControlEvent.NotForUs);
            return;
        }

        if (LispAddressing.TryToEid(LispAddressing.HostPrefix(request.SourceEid), out var changed) && IsCached(tables, changed))
        {
            Resolver.OnMiss(changed.InstanceId, changed.Address, smrInvoked: true);
            return;
        }

        bool followed = false, usable = false;
        foreach (var record in request.Records)
        {
            if (!LispAddressing.TryToEid(record, out var eid))
            {
                continue;
            }

            usable = true;
            if (IsCached(tables, eid))
            {
                Resolver.OnMiss(eid.InstanceId, eid.Address, smrInvoked: true);
                followed = true;
            }
        }

        if (!followed)
        {
            context.Counters.Count(usable || !request.SourceEid.IsNone ? LispControlEvent.SmrForUncachedEid : LispControlEvent.UnusableRecord);
        }
    }

    /// <summary>Whether the map-cache holds a mapping (positive or negative) covering the first address of <paramref name="eid"/>.</summary>
    private static bool IsCached(LispTables tables, EidPrefix eid) =>
        eid.Address.IsV4 ? tables.Index.TryLookup(eid.InstanceId, eid.Address.AsV4(), out _) : tables.Index.TryLookup(eid.InstanceId, eid.Address.AsV6(), out _);

    private void OnEncapsulated(byte[] payload, IpAddress from, ushort fromPort)
    {
        if (EncapsulatedControlHeader.TryParseEncapsulated(payload, out var nat, out _) && !nat!.MessageIn(payload).IsEmpty
            && (LispMessageType)(nat.MessageIn(payload)[0] >> 4) is LispMessageType.MapRegister or LispMessageType.MapNotify)
        {
            // NAT traversal: a NATed xTR's register for the RTR, its relay for the map-server, the map-server's answer.
            context.Counters.Count(LispControlEvent.EncapsulatedControlReceived);
            bool handled = (NatRtr?.OnEncapsulated(payload, nat, from, fromPort) ?? false) || (NatMapServer?.OnRelayedMapRegister(payload, nat, from) ?? false);
            if (!handled)
            {
                context.Counters.Count(LispControlEvent.NotForUs);
            }

            return;
        }

        if (!EncapsulatedControlHeader.TryParseEncapsulated(payload, out var ecm, out _) ||
            !MapRequest.TryParse(ecm!.MessageIn(payload), out var request, out _))
        {
            context.Counters.Count(LispControlEvent.Malformed);
            return;
        }

        context.Counters.Count(LispControlEvent.EncapsulatedControlReceived);
        if (MappingSystem is not null)
        {
            if (NamesUs(ecm, request!))
            {
                context.Counters.Count(LispControlEvent.SelfAddressed);
                return;
            }

            if (!handledRequests.TryAccept(request!.Nonce, from))
            {
                context.Counters.Count(LispControlEvent.MapRequestLoop);
                return;
            }

            if (Etr is not null && AsksForLocalEid(request) && LispAddressing.TryToIp(ecm.InnerSource, out var asker))
            {
                // A map-server that is also the ETR of the EID answers as the ETR: it has the mapping, and forwarding
                // to a registrant would send the request on to another map-server that may send it back.
                OnMapRequest(request, asker, to: null, ecm.InnerSourcePort);
                return;
            }

            MappingSystem.OnEncapsulatedMapRequest(payload, ecm, request);
        }
        else if (LispAddressing.TryToIp(ecm.InnerSource, out var itr))
        {
            OnMapRequest(request!, itr, to: null, ecm.InnerSourcePort); // forwarded to us, the ETR, by a map-server
        }
    }

    /// <summary>
    /// An Encapsulated Map-Request that names one of our addresses as its inner source or as an ITR-RLOC: handled,
    /// its answer or its forwarded copy would come back to us (a reflection, or a loop). The inner destination may
    /// rightly be ours: an ITR asking for an EID of the other family than its RLOC's puts the map-resolver's address
    /// there (RFC 9301 5.8 wants the EID, which an inner header of the RLOC's family cannot carry).
    /// </summary>
    private bool NamesUs(EncapsulatedControlMessage ecm, MapRequest request)
    {
        if (LispAddressing.TryToIp(ecm.InnerSource, out var source) && Owns(source))
        {
            return true;
        }

        foreach (var rloc in request.ItrRlocs)
        {
            if (LispAddressing.TryToIp(rloc, out var address) && Owns(address))
            {
                return true;
            }
        }

        return false;
    }

    private bool AsksForLocalEid(MapRequest request)
    {
        if (context.Tables is not { } tables)
        {
            return false;
        }

        foreach (var asked in request.Records)
        {
            if (LispAddressing.TryToEid(asked, out var eid) && tables.LocalDatabase.TryFindEidPrefix(eid.InstanceId, eid.Address, out _))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Local EIDs change at run time (the control socket, Change-Priority): register at once, and SMR the ITRs that
    /// asked for an EID that is no longer here.
    /// </summary>
    private void TrackLocalEids()
    {
        var current = LocalEids();
        if (current.SetEquals(knownLocalEids))
        {
            return;
        }

        var goneEids = knownLocalEids.Except(current).ToArray();
        foreach (var gone in goneEids)
        {
            if (ChangePriority?.LeftByChangePriority(gone) != true)
            {
                Etr?.SolicitRequesters(gone);
            }
        }

        knownLocalEids = current;
        Registrar?.Withdraw(goneEids);
        Registrar?.RegisterNow();
    }

    private HashSet<EidPrefix> LocalEids() =>
        context.Tables is { } tables ? [.. tables.LocalDatabase.EidPrefixes.ToArray()] : [];
}
