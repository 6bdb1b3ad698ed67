using System.Net;
using System.Net.Sockets;

namespace Dataplane.Control.FlowExport;

/// <summary>
/// The exporter's UDP socket toward the collector (RFC 7011 section 10.3). Unconnected, so an ICMP port unreachable
/// from a collector that is down does not fail the sends that follow; a send the kernel refuses is a false return.
/// </summary>
public sealed class UdpCollector : IDisposable
{
    private readonly System.Net.Sockets.Socket socket;
    private readonly IPEndPoint collector;

    public UdpCollector(IPEndPoint collector)
    {
        this.collector = collector;
        socket = new System.Net.Sockets.Socket(collector.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
    }

    public bool Send(ReadOnlyMemory<byte> message)
    {
        try
        {
            return socket.SendTo(message.Span, SocketFlags.None, collector) == message.Length;
        }
        catch (SocketException)
        {
            return false; // a full socket buffer, no route: counted by the exporter, never thrown at the control thread
        }
    }

    public void Dispose() => socket.Dispose();
}
