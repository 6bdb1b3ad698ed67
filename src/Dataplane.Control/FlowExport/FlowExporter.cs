using Dataplane.Control.Metrics;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Runtime.Workers;
using Dataplane.Wire.Ipfix;

namespace Dataplane.Control.FlowExport;

/// <summary>
/// The IPFIX exporting process (RFC 7011), a control-thread service of <c>dataplane run</c>: once a second it asks
/// each source for the records due and packs them into messages of at most <see cref="FlowExportConfig.MaxMessageBytes"/>
/// octets, one set per template run; the templates go first and again every <see cref="FlowExportConfig.TemplateRefreshSeconds"/>
/// (section 8.4, UDP). Each message's sequence number is the count of data records sent before it, modulo 2^32
/// (section 3.1; template records do not count). It reads only counters the workers keep; it never runs on a worker.
/// Metrics: <c>dataplane_flow_export_messages_total</c>, <c>dataplane_flow_export_records_total</c>,
/// <c>dataplane_flow_export_send_errors_total</c>, <c>dataplane_flow_export_tracked_entries</c>,
/// <c>dataplane_flow_export_untracked_total</c>.
/// </summary>
public sealed class FlowExporter : IControlPlaneService
{
    private const long CollectIntervalMilliseconds = 1000;

    private readonly FlowExportConfig config;
    private readonly FlowExportTemplates templates;
    private readonly IReadOnlyList<IExportSource> sources;
    private readonly ExportClock clock;
    private readonly Func<ReadOnlyMemory<byte>, bool> send;
    private readonly Func<int> trackedEntries;
    private readonly Func<long> untracked;
    private readonly byte[] buffer;
    private readonly List<ExportRecord> records = [];
    private readonly MetricFamily? messages, recordsSent, sendErrors, tracked, untrackedMetric;
    private long nextCollect;
    private long nextTemplates = long.MinValue;
    private uint sequence;

    /// <param name="send">Sends one message; false when the send failed (counted as a send error).</param>
    /// <param name="trackedEntries">Entries the sources track now (for the gauge).</param>
    /// <param name="untracked">Observations refused for want of room, so far.</param>
    public FlowExporter(FlowExportConfig config, FlowExportTemplates templates, IReadOnlyList<IExportSource> sources, ExportClock clock,
        Func<ReadOnlyMemory<byte>, bool> send, ControlPlaneMetrics? metrics = null, Func<int>? trackedEntries = null, Func<long>? untracked = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        this.config = config;
        this.templates = templates;
        this.sources = sources;
        this.clock = clock;
        this.send = send;
        this.trackedEntries = trackedEntries ?? (() => 0);
        this.untracked = untracked ?? (() => 0);
        buffer = new byte[config.MaxMessageBytes];
        if (metrics is not null)
        {
            messages = metrics.Counter("dataplane_flow_export_messages_total", "IPFIX messages sent to the collector (templates and data)");
            recordsSent = metrics.Counter("dataplane_flow_export_records_total", "IPFIX data records sent to the collector");
            sendErrors = metrics.Counter("dataplane_flow_export_send_errors_total", "IPFIX messages the socket refused to send");
            tracked = metrics.Gauge("dataplane_flow_export_tracked_entries", "Flows, tunnels, VNIs and map-cache entries the exporter tracks");
            untrackedMetric = metrics.Counter("dataplane_flow_export_untracked_total", "Observations of entries not reported because flowExport.maxTrackedEntries were tracked");
            messages.Add(0);
            recordsSent.Add(0);
            sendErrors.Add(0);
        }
    }

    /// <summary>Data records sent so far, modulo 2^32: the next message's sequence number.</summary>
    public uint SequenceNumber => sequence;

    public long MessagesSent { get; private set; }

    public long SendErrors { get; private set; }

    public void OnPunt(in PacketDescriptor packet)
    {
    }

    public void OnTick(long nowMilliseconds)
    {
        if (nowMilliseconds < nextCollect)
        {
            return;
        }

        nextCollect = nowMilliseconds + CollectIntervalMilliseconds;
        ExportDue();
    }

    /// <summary>One round: the templates when due, then every source's due records.</summary>
    public void ExportDue()
    {
        long now = clock.Now;
        records.Clear();
        foreach (var source in sources)
        {
            source.Collect(now, records);
        }

        Send(now, records);
    }

    /// <summary>Shutdown (the workers stopped): every entry's unreported traffic, reason forced end.</summary>
    public void Flush()
    {
        long now = clock.Now;
        records.Clear();
        foreach (var source in sources)
        {
            source.Flush(now, records);
        }

        Send(now, records);
    }

    private void Send(long now, List<ExportRecord> due)
    {
        if (now >= nextTemplates)
        {
            SendTemplates(now);
            nextTemplates = now + (config.TemplateRefreshSeconds * 1000L);
        }

        var writer = NewMessage(now);
        IpfixTemplate? open = null;
        foreach (var record in due)
        {
            var template = record.Template;
            if (!ReferenceEquals(open, template) && !writer.TryBeginSet(template.Id, template.RecordLength))
            {
                Transmit(ref writer);
                writer = NewMessage(now);
                writer.TryBeginSet(template.Id, template.RecordLength);
            }

            open = template;
            if (!writer.TryBeginRecord(template))
            {
                Transmit(ref writer);
                writer = NewMessage(now);
                writer.TryBeginSet(template.Id, template.RecordLength);
                writer.TryBeginRecord(template);
            }

            record.Write(ref writer);
        }

        if (writer.DataRecords > 0)
        {
            Transmit(ref writer);
        }

        tracked?.Set(trackedEntries());
        untrackedMetric?.Set(untracked());
    }

    private void SendTemplates(long now)
    {
        var writer = NewMessage(now);
        writer.TryBeginSet(IpfixMessageWriter.TemplateSetId, templates.All[0].TemplateRecordLength);
        foreach (var template in templates.All)
        {
            if (!writer.TryAddTemplate(template))
            {
                Transmit(ref writer);
                writer = NewMessage(now);
                writer.TryBeginSet(IpfixMessageWriter.TemplateSetId, template.TemplateRecordLength);
                writer.TryAddTemplate(template);
            }
        }

        Transmit(ref writer);
    }

    private IpfixMessageWriter NewMessage(long now) =>
        new(buffer, (uint)(now / 1000), sequence, config.ObservationDomainId);

    private void Transmit(ref IpfixMessageWriter writer)
    {
        int records = writer.DataRecords;
        int length = writer.Finish();
        sequence = unchecked(sequence + (uint)records); // counted whether or not the send works: a collector sees the loss as a gap
        if (send(buffer.AsMemory(0, length)))
        {
            MessagesSent++;
            messages?.Increment();
            recordsSent?.Add(records);
        }
        else
        {
            SendErrors++;
            sendErrors?.Increment();
        }
    }
}
