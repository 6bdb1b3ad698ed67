using Dataplane.Forwarding.Buffers;

namespace Dataplane.Ports.Replay;

/// <summary>
/// Where a replay writes a stream of packets (transmitted, punted, dropped): a classic pcap that merges every port,
/// or a pcapng with one interface per port (<see cref="PortCaptureWriter"/>).
/// </summary>
public interface IReplayCaptureWriter : IDisposable
{
    /// <summary>True when the file keeps the port and the comment of each packet.</summary>
    bool KeepsPorts { get; }

    /// <summary>Writes <paramref name="packet"/>'s frame as seen on <paramref name="port"/>, with an optional comment.</summary>
    void Write(in PacketDescriptor packet, ushort port, ReadOnlySpan<byte> comment = default);

    void Flush();
}
