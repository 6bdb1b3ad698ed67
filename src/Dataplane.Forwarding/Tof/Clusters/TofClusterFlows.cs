using Dataplane.Forwarding.Counters;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof.Clusters;

/// <summary>
/// A new NAT flow's instance: balanced over the service's cluster by the flow's hash (<see cref="TofClusterBalancer"/>)
/// and remembered in the flow, which keeps it for its life. Called only when a flow is not in the table yet.
/// </summary>
internal static class TofClusterFlows
{
    /// <summary>
    /// Records an IPv4 flow on the instance its hash picks, with its own <paramref name="traffic"/> counters when flow
    /// export wants them; why not when it cannot be (then <paramref name="flow"/> is not to be used).
    /// </summary>
    /// <remarks>
    /// <paramref name="stale"/>: the entry of this key recorded for another service address (a traffic rule's offload
    /// of a destination that shares the key), removed first. The replies get <paramref name="service"/>'s address.
    /// </remarks>
    public static DropReason Learn(TofSlotTable<TofNatFlowKey, TofNatFlow> flows, TofNatFlow? stale, in TofNatFlowKey key, TofService service,
        TofServiceCounters counters, TofFlowTraffic? traffic, long now, out TofNatFlow flow)
    {
        if (stale is not null)
        {
            flows.TryRemove(stale);
        }

        int instance = service.Balancer.Pick(TofClusterBalancer.FlowHash(key.Ue.Value, key.UePort, key.ServicePort, key.Protocol));
        if (instance < 0)
        {
            flow = null!;
            return DropReason.TofNoActiveInstance;
        }

        return flows.TryAdd(new TofNatFlow(key, service.ServiceIpv4, service.Applications[instance].Ipv4, counters, now) { Traffic = traffic }, out flow) == TofLearnResult.Full
            ? DropReason.TofFlowTableFull
            : DropReason.None;
    }

    /// <summary><see cref="Learn(TofSlotTable{TofNatFlowKey, TofNatFlow}, TofNatFlow?, in TofNatFlowKey, TofService, TofServiceCounters, TofFlowTraffic?, long, out TofNatFlow)"/> for an IPv6 flow.</summary>
    public static DropReason Learn(TofSlotTable<TofNatFlowKey6, TofNatFlow> flows, in TofNatFlowKey6 key, TofService service,
        TofServiceCounters counters, TofFlowTraffic? traffic, long now, out TofNatFlow flow)
    {
        int instance = service.Balancer.Pick(TofClusterBalancer.FlowHash(key.Ue.Value, key.UePort, key.ServicePort, key.Protocol));
        if (instance < 0)
        {
            flow = null!;
            return DropReason.TofNoActiveInstance;
        }

        return flows.TryAdd(new TofNatFlow(key, service.Applications[instance].Ip.AsV6(), counters, now) { Traffic = traffic }, out flow) == TofLearnResult.Full
            ? DropReason.TofFlowTableFull
            : DropReason.None;
    }

    /// <summary>
    /// Removes the flows of <paramref name="service"/> (by its service address) that are on the instance at
    /// <paramref name="application"/>, so their next packet is balanced again (an explicit drain). Control thread;
    /// returns how many went. A flow a worker learns on that instance while the scan runs (from a service snapshot
    /// read before the drain was published) is left: it is at most a batch's worth.
    /// </summary>
    public static int Remove(TofFeature feature, IpAddress serviceIp, IpAddress application)
    {
        int removed = 0;
        if (serviceIp.IsV4)
        {
            var service = serviceIp.AsV4();
            var instance = application.AsV4();
            foreach (var flow in feature.Flows.Snapshot())
            {
                if (flow.Key.Service == service && flow.ApplicationIpv4 == instance && feature.Flows.TryRemove(flow))
                {
                    removed++;
                }
            }
        }
        else
        {
            var service = serviceIp.AsV6();
            var instance = application.AsV6();
            foreach (var flow in feature.Flows6.Snapshot())
            {
                if (flow.Key6.Service == service && flow.ApplicationIpv6 == instance && feature.Flows6.TryRemove(flow))
                {
                    removed++;
                }
            }
        }

        return removed;
    }
}
