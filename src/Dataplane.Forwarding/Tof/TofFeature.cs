using System.Collections.Concurrent;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;
using Dataplane.Forwarding.Tof.Clusters;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// The mobile-edge Traffic Offloading Function (role "tof"): owns what all workers share (the registered services,
/// the learned tunnels, the NAT flows, the per-service counters) and gives each worker a <see cref="TofStage"/>.
/// The control side (REST API, control socket, pinger) works through the public members here; none of them blocks a
/// worker.
/// </summary>
public sealed class TofFeature : IForwardingFeature, ITunnelEndpointFeature
{
    private readonly ConcurrentDictionary<string, TofServiceCounters> counters = new(StringComparer.Ordinal);
    private readonly IMonotonicClock clock;
    private readonly Lock ringsLock = new();
    private TofEventRing[] rings = [];

    public TofFeature(TofSettings settings, IMonotonicClock clock)
    {
        Settings = settings;
        this.clock = clock;
        Services = new TofServiceTable(settings.Services);
        Services.FlowRemover = (service, application) => TofClusterFlows.Remove(this, service.ServiceIp, application);
        Tunnels = new TofSlotTable<Ipv4Address, TofTunnel>(settings.TunnelCapacity);
        Flows = new TofSlotTable<TofNatFlowKey, TofNatFlow>(settings.FlowCapacity);
        Tunnels6 = new TofSlotTable<Ipv6Address, TofTunnel>(settings.TunnelCapacity);
        Flows6 = new TofSlotTable<TofNatFlowKey6, TofNatFlow>(settings.FlowCapacity);
    }

    public int Order => StageOrder.Tof;

    public TofSettings Settings { get; }

    /// <summary>The registered services: the REST API adds, replaces and removes; workers see changes from their next batch.</summary>
    public TofServiceTable Services { get; }

    /// <summary>The learned tunnels, by UE address (workers learn; <see cref="ListTunnels"/> is the read API).</summary>
    public TofSlotTable<Ipv4Address, TofTunnel> Tunnels { get; }

    /// <summary>The offloaded flows (destination NAT state), by flow.</summary>
    public TofSlotTable<TofNatFlowKey, TofNatFlow> Flows { get; }

    /// <summary>
    /// The learned tunnels of IPv6 UEs, by /64 prefix (<see cref="TofTunnel.PrefixOf"/>); as large as <see cref="Tunnels"/>
    /// and apart from it, so IPv6 UEs never take IPv4 UEs' room nor lengthen their lookups.
    /// </summary>
    public TofSlotTable<Ipv6Address, TofTunnel> Tunnels6 { get; }

    /// <summary>The offloaded IPv6 flows, by flow; as large as <see cref="Flows"/>.</summary>
    public TofSlotTable<TofNatFlowKey6, TofNatFlow> Flows6 { get; }

    /// <summary>The clock the workers stamp <see cref="TofTunnel.LastSeen"/> and <see cref="TofNatFlow.LastSeen"/> with.</summary>
    public IMonotonicClock Clock => clock;

    /// <summary>Each new flow counts its own traffic (<see cref="TofNatFlow.Traffic"/>), for flow export.</summary>
    public bool CountFlowTraffic { get; init; }

    internal TofFlowTraffic? NewFlowTraffic(long now) => CountFlowTraffic ? new TofFlowTraffic(Workers, now) : null;

    public static TofFeature Create(DataplaneConfig config, ForwardingPlane plane)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(plane);
        return new TofFeature(TofSettings.Read(config, plane.Ports), plane.Options.Clock) { CountFlowTraffic = config.FlowExport is not null };
    }

    /// <summary>
    /// A bump in the wire: the GTP-U it learns from and offloads is addressed to the eNodeBs and SGWs, never to us, so
    /// on the S1-U / N3 ports GTP-U is classified by its UDP port alone. Its other ports classify by destination.
    /// </summary>
    public void AddTunnelEndpoints(TunnelEndpointsBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.ClassifyByPortAlone(Settings.EnbPort, PacketKinds.GtpU);
        endpoints.ClassifyByPortAlone(Settings.SgwPort, PacketKinds.GtpU);
    }

    public IBatchStage CreateStage(ForwardingPlane plane)
    {
        var ring = new TofEventRing();
        int worker;
        lock (ringsLock)
        {
            worker = rings.Length; // one ring per worker: its index is the worker's
            rings = [.. rings, ring];
        }

        return new TofStage(plane, this, ring, worker);
    }

    /// <summary>
    /// Moves the workers' tunnel events (learned, updated, downlink ended, removed) into <paramref name="into"/>;
    /// returns how many. One consumer only: the control thread (the log, the control socket's subscription).
    /// </summary>
    public int DrainEvents(ICollection<TofTunnelEvent> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        int drained = 0;
        foreach (var ring in Volatile.Read(ref rings))
        {
            while (ring.TryRead(out var tunnelEvent))
            {
                into.Add(tunnelEvent);
                drained++;
            }
        }

        return drained;
    }

    /// <summary>Events lost because a worker's ring was full (nobody drained them in time).</summary>
    public long LostEvents
    {
        get
        {
            long lost = 0;
            foreach (var ring in Volatile.Read(ref rings))
            {
                lost += ring.Lost;
            }

            return lost;
        }
    }

    public void ReclaimRetired()
    {
    }

    /// <summary>Counters of the service named <paramref name="serviceName"/> (created at its first offloaded flow).</summary>
    public TofServiceCounters Counters(string serviceName) => counters.GetOrAdd(serviceName, static (_, workers) => new TofServiceCounters(workers), MaxWorkerLines);

    /// <summary>Workers whose stages exist: each gets a counter line of its own in what is learned from now on.</summary>
    public int Workers => Volatile.Read(ref rings).Length;

    /// <summary>Service counters are few: every worker the daemon may run gets a line of its own in them.</summary>
    private const int MaxWorkerLines = 64;

    /// <summary>Every service that has carried traffic, with its counters (for metrics).</summary>
    public IReadOnlyDictionary<string, TofServiceCounters> AllCounters => counters;

    /// <summary>The learned tunnels as GET /tunnel lists them, ordered by UE address.</summary>
    public IReadOnlyList<TofTunnelInfo> ListTunnels()
    {
        long now = clock.Now;
        var list = new List<TofTunnelInfo>();
        foreach (var tunnel in AllTunnels())
        {
            int qfi = tunnel.Qfi;
            list.Add(new TofTunnelInfo(tunnel.UeAddress, tunnel.Uplink, tunnel.Downlink, qfi == TofTunnel.NoQfi ? null : (byte)qfi,
                (double)(now - tunnel.LastSeen) / clock.Frequency, tunnel.UplinkPackets, tunnel.DownlinkPackets));
        }

        list.Sort((a, b) => a.UeAddress.Family != b.UeAddress.Family ? a.UeAddress.Family.CompareTo(b.UeAddress.Family) : a.UeAddress.Value.CompareTo(b.UeAddress.Value));
        return list;
    }

    /// <summary>The learned tunnel of one UE: by its IPv4 address, or by any IPv6 address of its /64.</summary>
    public bool TryGetTunnel(IpAddress ueAddress, out TofTunnel tunnel) =>
        ueAddress.IsV4 ? Tunnels.TryGet(ueAddress.AsV4(), out tunnel) : Tunnels6.TryGet(TofTunnel.PrefixOf(ueAddress.AsV6()), out tunnel);

    /// <summary>The tunnels of both families (control thread).</summary>
    private List<TofTunnel> AllTunnels()
    {
        var all = Tunnels.Snapshot();
        all.AddRange(Tunnels6.Snapshot());
        return all;
    }

    /// <summary>
    /// UEs the pinger should probe: a reply to them was dropped for want of a downlink TEID, and their uplink tunnel
    /// is known (the echo request rides in it). Control thread only.
    /// </summary>
    public IReadOnlyList<TofTunnel> TunnelsWantingDownlink()
    {
        var wanted = new List<TofTunnel>();
        foreach (var tunnel in AllTunnels())
        {
            if (tunnel.DownlinkWanted && tunnel.Downlink is null && tunnel.Uplink is not null)
            {
                wanted.Add(tunnel);
            }
        }

        return wanted;
    }

    /// <summary>
    /// Removes tunnels and NAT flows idle for longer than idleTimeoutSeconds, then forgets the retired cluster
    /// instances no flow is on any more; the control thread calls it periodically. Returns how many tunnels and flows went.
    /// </summary>
    public (int Tunnels, int Flows) PurgeIdle()
    {
        long now = clock.Now;
        long limit = Settings.IdleTimeoutSeconds * clock.Frequency;
        int tunnels = 0;
        foreach (var tunnel in Tunnels.Snapshot())
        {
            if (now - tunnel.LastSeen > limit && Tunnels.TryRemove(tunnel))
            {
                tunnels++;
            }
        }

        foreach (var tunnel in Tunnels6.Snapshot())
        {
            if (now - tunnel.LastSeen > limit && Tunnels6.TryRemove(tunnel))
            {
                tunnels++;
            }
        }

        int flows = 0;
        foreach (var flow in Flows.Snapshot())
        {
            if (now - flow.LastSeen > limit && Flows.TryRemove(flow))
            {
                flows++;
            }
        }

        foreach (var flow in Flows6.Snapshot())
        {
            if (now - flow.LastSeen > limit && Flows6.TryRemove(flow))
            {
                flows++;
            }
        }

        ForgetIdleRetiredInstances();
        return (tunnels, flows);
    }

    /// <summary>Retired instances keep leading replies to their service only while some flow is on them.</summary>
    private void ForgetIdleRetiredInstances()
    {
        bool anyRetired = false;
        foreach (var service in Services.All)
        {
            anyRetired |= Services.Retired(service.Name).Count > 0;
        }

        if (!anyRetired)
        {
            return;
        }

        var inUse = new HashSet<IpAddress>();
        foreach (var flow in Flows.Snapshot())
        {
            inUse.Add(flow.ApplicationIpv4);
        }

        foreach (var flow in Flows6.Snapshot())
        {
            inUse.Add(flow.ApplicationIpv6);
        }

        Services.ForgetRetired(inUse);
    }
}
