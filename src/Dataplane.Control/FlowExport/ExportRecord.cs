using Dataplane.Wire.Ipfix;

namespace Dataplane.Control.FlowExport;

/// <summary>One data record ready to go: its template and how to write its fields, in the template's order.</summary>
public abstract class ExportRecord(IpfixTemplate template)
{
    public IpfixTemplate Template { get; } = template;

    /// <summary>Writes exactly <see cref="IpfixTemplate.RecordLength"/> octets (the record is begun by the caller).</summary>
    public abstract void Write(ref IpfixMessageWriter writer);
}

/// <summary>What every record ends with: the deltas since the previous record of the same entry, its time span, why it was sent.</summary>
public readonly record struct RecordCounts(long Packets, long Bytes, long StartMilliseconds, long EndMilliseconds, IpfixFlowEndReason Reason)
{
    public void Write(ref IpfixMessageWriter writer)
    {
        writer.WriteUInt64((ulong)Packets);
        writer.WriteUInt64((ulong)Bytes);
        writer.WriteUInt64((ulong)StartMilliseconds);
        writer.WriteUInt64((ulong)EndMilliseconds);
        writer.WriteUInt8((byte)Reason);
    }
}
