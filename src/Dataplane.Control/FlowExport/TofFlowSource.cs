using Dataplane.Forwarding.Tof;
using Dataplane.Wire.Ipfix;

namespace Dataplane.Control.FlowExport;

/// <summary>
/// The TOF's offloaded flows (IPv4 and IPv6) as records, one per direction that moved: uplink from the UE to the
/// service address, NATed to the application; downlink from the application, NATed back to the service address.
/// Only flows learned with their own counters (<see cref="TofNatFlow.Traffic"/>) are reported.
/// </summary>
public sealed class TofFlowSource(TofFeature tof, FlowExportTemplates templates, ExportClock clock, DeltaTracker<TofNatFlow> tracker) : IExportSource
{
    public DeltaTracker<TofNatFlow> Tracker => tracker;

    public void Collect(long now, List<ExportRecord> into)
    {
        DeltaTracker<TofNatFlow>.Emit emit = (TofNatFlow flow, int direction, in RecordCounts counts) => into.Add(new TofFlowRecord(templates, flow, direction == 0, counts));
        tracker.BeginRound();
        foreach (var flow in tof.Flows.Snapshot())
        {
            Observe(flow, now, emit);
        }

        foreach (var flow in tof.Flows6.Snapshot())
        {
            Observe(flow, now, emit);
        }

        tracker.EndRound(now, Final, emit);
    }

    public void Flush(long now, List<ExportRecord> into) =>
        tracker.Flush(now, Final, (TofNatFlow flow, int direction, in RecordCounts counts) => into.Add(new TofFlowRecord(templates, flow, direction == 0, counts)));

    private void Observe(TofNatFlow flow, long now, DeltaTracker<TofNatFlow>.Emit emit)
    {
        if (flow.Traffic is { } traffic)
        {
            tracker.Observe(flow, Totals(traffic), clock.ToUnixMilliseconds(traffic.LearnedAt), clock.ToUnixMilliseconds(flow.LastSeen), now, emit);
        }
    }

    private (DirectionTotals, long) Final(TofNatFlow flow) => (Totals(flow.Traffic!), clock.ToUnixMilliseconds(flow.LastSeen));

    private static DirectionTotals Totals(TofFlowTraffic traffic)
    {
        var (upPackets, upBytes, downPackets, downBytes) = traffic.Read();
        return new DirectionTotals(upPackets, upBytes, downPackets, downBytes);
    }

    private sealed class TofFlowRecord(FlowExportTemplates templates, TofNatFlow flow, bool uplink, RecordCounts counts)
        : ExportRecord(flow.ServiceIp.IsV4 ? templates.TofFlowIpv4 : templates.TofFlowIpv6)
    {
        public override void Write(ref IpfixMessageWriter writer)
        {
            if (flow.ServiceIp.IsV4)
            {
                var key = flow.Key;
                var service = flow.ServiceIpv4;
                var application = flow.ApplicationIpv4; // the flow's instance of the service's cluster
                // uplink: UE -> service, NATed to UE -> application; downlink: application -> UE, NATed to service -> UE
                writer.WriteIpv4(uplink ? key.Ue : application);
                writer.WriteIpv4(uplink ? service : key.Ue);
                writer.WriteIpv4(uplink ? key.Ue : service);
                writer.WriteIpv4(uplink ? application : key.Ue);
                writer.WriteUInt16(uplink ? key.UePort : key.ServicePort);
                writer.WriteUInt16(uplink ? key.ServicePort : key.UePort);
                writer.WriteUInt8(key.Protocol);
            }
            else
            {
                var key = flow.Key6;
                var service = flow.ServiceIp.AsV6();
                var application = flow.ApplicationIpv6;
                writer.WriteIpv6(uplink ? key.Ue : application);
                writer.WriteIpv6(uplink ? service : key.Ue);
                writer.WriteIpv6(uplink ? key.Ue : service);
                writer.WriteIpv6(uplink ? application : key.Ue);
                writer.WriteUInt16(uplink ? key.UePort : key.ServicePort);
                writer.WriteUInt16(uplink ? key.ServicePort : key.UePort);
                writer.WriteUInt8(key.Protocol);
            }

            counts.Write(ref writer);
        }
    }
}
