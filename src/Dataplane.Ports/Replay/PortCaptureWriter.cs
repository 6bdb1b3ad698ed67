using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Routing;
using Dataplane.Ports.Pcap;

namespace Dataplane.Ports.Replay;

/// <summary>
/// A pcapng with one Ethernet interface per configured port, in port order (interface i is port i) and named after
/// it (if_name), so Wireshark and tshark show where each packet went (<c>frame.interface_name</c>), and a replay can
/// read the file back into the same ports. A frame of another link type (raw IP) gets an interface of its own with
/// the port's name.
/// </summary>
public sealed class PortCaptureWriter : IReplayCaptureWriter
{
    private readonly PcapNgWriter writer;
    private readonly PortTable ports;
    private readonly Dictionary<(ushort Port, CaptureLinkType LinkType), int> otherLinkTypes = [];

    public PortCaptureWriter(string path, PortTable ports)
        : this(new PcapNgWriter(path), ports)
    {
    }

    public PortCaptureWriter(PcapNgWriter writer, PortTable ports)
    {
        this.writer = writer;
        this.ports = ports;
        foreach (var port in ports.All)
        {
            writer.AddInterface(CaptureLinkType.Ethernet, port.Name);
        }
    }

    public bool KeepsPorts => true;

    public void Write(in PacketDescriptor packet, ushort port, ReadOnlySpan<byte> comment = default)
    {
        var linkType = packet.Format.ToLinkType();
        int interfaceId = linkType == CaptureLinkType.Ethernet && port < ports.Count ? port : InterfaceFor(port, linkType);
        writer.Write(interfaceId, packet.Data, packet.Timestamp, comment);
    }

    public void Flush() => writer.Flush();

    public void Dispose() => writer.Dispose();

    private int InterfaceFor(ushort port, CaptureLinkType linkType)
    {
        if (!otherLinkTypes.TryGetValue((port, linkType), out int interfaceId))
        {
            string name = ports.TryGet(port, out var info) ? info.Name : $"port{port}";
            interfaceId = writer.AddInterface(linkType, name);
            otherLinkTypes.Add((port, linkType), interfaceId);
        }

        return interfaceId;
    }
}
