using Dataplane.Forwarding.Buffers;

namespace Dataplane.Ports.Abstractions;

/// <summary>The open ports by number, so a buffer goes back to the port that owns it (the packet's ingress port).</summary>
public sealed class PortSet : IDisposable
{
    private readonly IPacketPort[] ports;

    public PortSet(IEnumerable<IPacketPort> ports)
    {
        this.ports = ports.OrderBy(p => p.Id).ToArray();
        for (int i = 0; i < this.ports.Length; i++)
        {
            if (this.ports[i].Id != i)
            {
                throw new ArgumentException($"port ids must be 0..{this.ports.Length - 1}; found {this.ports[i].Id} at position {i}", nameof(ports));
            }
        }
    }

    public int Count => ports.Length;

    public IPacketPort this[int id] => ports[id];

    public IReadOnlyList<IPacketPort> All => ports;

    /// <summary>Frees a packet's buffer to the port that received it.</summary>
    public void Free(ref PacketDescriptor packet) => ports[packet.IngressPort].Free(ref packet);

    public void Dispose()
    {
        foreach (var port in ports)
        {
            port.Dispose();
        }
    }
}
