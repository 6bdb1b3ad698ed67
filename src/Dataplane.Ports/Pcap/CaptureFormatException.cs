namespace Dataplane.Ports.Pcap;

/// <summary>
/// Thrown by <see cref="CaptureReader.Open(string, Dataplane.Forwarding.Buffers.PacketPool)"/>
/// when the file header is bad. Never thrown per packet: reads report errors as results.
/// </summary>
public sealed class CaptureFormatException(CaptureError error, string? path)
    : Exception(path is null ? error.ToString() : $"{path}: {error}")
{
    public CaptureError Error { get; } = error;
}
