namespace Dataplane.Control.FlowExport;

/// <summary>One kind of entry the exporter reports (TOF flows, GTP-U tunnels, VNIs, map-cache entries).</summary>
public interface IExportSource
{
    /// <summary>The records due now (<paramref name="now"/> in UNIX milliseconds): timeouts reached, entries gone.</summary>
    void Collect(long now, List<ExportRecord> into);

    /// <summary>Shutdown: every entry's unreported traffic.</summary>
    void Flush(long now, List<ExportRecord> into);
}
