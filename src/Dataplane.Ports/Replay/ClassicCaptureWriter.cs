using Dataplane.Forwarding.Buffers;
using Dataplane.Ports.Pcap;

namespace Dataplane.Ports.Replay;

/// <summary>A classic pcap (Ethernet, nanoseconds) holding every port's packets in one stream: ports and comments are not kept.</summary>
public sealed class ClassicCaptureWriter(PcapWriter writer) : IReplayCaptureWriter
{
    public ClassicCaptureWriter(string path)
        : this(new PcapWriter(path, CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds))
    {
    }

    public bool KeepsPorts => false;

    public void Write(in PacketDescriptor packet, ushort port, ReadOnlySpan<byte> comment = default) => writer.Write(packet);

    public void Flush() => writer.Flush();

    public void Dispose() => writer.Dispose();
}
