using Dataplane.Forwarding.Tof;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Ipfix;

namespace Dataplane.Control.FlowExport;

/// <summary>
/// The GTP-U tunnels the TOF learned (one per UE and address family) as records, one per direction that moved: the
/// uplink from the eNB to the SGW with the uplink TEID, the downlink from the SGW to the eNB with the downlink TEID,
/// each with the UE's address (an IPv6 UE's /64) and the T-PDU packets and bytes since the previous record.
/// </summary>
public sealed class GtpUTunnelSource(TofFeature tof, FlowExportTemplates templates, ExportClock clock, DeltaTracker<TofTunnel> tracker) : IExportSource
{
    public DeltaTracker<TofTunnel> Tracker => tracker;

    public void Collect(long now, List<ExportRecord> into)
    {
        DeltaTracker<TofTunnel>.Emit emit = (TofTunnel tunnel, int direction, in RecordCounts counts) => into.Add(new TunnelRecord(templates, tunnel, direction == 0, counts));
        tracker.BeginRound();
        foreach (var tunnel in tof.Tunnels.Snapshot())
        {
            tracker.Observe(tunnel, Totals(tunnel), clock.ToUnixMilliseconds(tunnel.LearnedAt), clock.ToUnixMilliseconds(tunnel.LastSeen), now, emit);
        }

        foreach (var tunnel in tof.Tunnels6.Snapshot())
        {
            tracker.Observe(tunnel, Totals(tunnel), clock.ToUnixMilliseconds(tunnel.LearnedAt), clock.ToUnixMilliseconds(tunnel.LastSeen), now, emit);
        }

        tracker.EndRound(now, Final, emit);
    }

    public void Flush(long now, List<ExportRecord> into) =>
        tracker.Flush(now, Final, (TofTunnel tunnel, int direction, in RecordCounts counts) => into.Add(new TunnelRecord(templates, tunnel, direction == 0, counts)));

    private (DirectionTotals, long) Final(TofTunnel tunnel) => (Totals(tunnel), clock.ToUnixMilliseconds(tunnel.LastSeen));

    private static DirectionTotals Totals(TofTunnel tunnel) => new(tunnel.UplinkPackets, tunnel.UplinkBytes, tunnel.DownlinkPackets, tunnel.DownlinkBytes);

    private sealed class TunnelRecord(FlowExportTemplates templates, TofTunnel tunnel, bool uplink, RecordCounts counts) : ExportRecord(templates.GtpUTunnel)
    {
        // The endpoint as it is when the record is made (a handover since changes it; an End Marker may have closed the downlink).
        private readonly TofTunnelEndpoint? endpoint = uplink ? tunnel.Uplink : tunnel.Downlink;

        public override void Write(ref IpfixMessageWriter writer)
        {
            var none = new IpAddress(default(Ipv6Address));
            writer.WriteIpv6(endpoint?.Source ?? none);
            writer.WriteIpv6(endpoint?.Destination ?? none);
            writer.WriteUInt32(endpoint?.Teid ?? 0);
            writer.WriteIpv6(tunnel.UeAddress);
            counts.Write(ref writer);
        }
    }
}
