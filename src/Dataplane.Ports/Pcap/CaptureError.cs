namespace Dataplane.Ports.Pcap;

/// <summary>
/// What is wrong with a capture file and where: <see cref="Offset"/> is the byte offset in the
/// file of the header, record or block that is wrong (for a truncated one, where it starts), so
/// <c>xxd -s OFFSET</c> shows the culprit.
/// </summary>
public readonly record struct CaptureError(long Offset, string Message)
{
    public override string ToString() => $"offset {Offset} (0x{Offset:x}): {Message}";
}
