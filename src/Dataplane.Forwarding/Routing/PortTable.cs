using System.Diagnostics.CodeAnalysis;

namespace Dataplane.Forwarding.Routing;

/// <summary>The ports of one data plane, indexed by port number. Fixed at start: ports do not come and go while workers run.</summary>
public sealed class PortTable
{
    private readonly PortInfo[] ports;

    public PortTable(IEnumerable<PortInfo> ports)
    {
        this.ports = ports.OrderBy(p => p.Id).ToArray();
        for (int i = 0; i < this.ports.Length; i++)
        {
            if (this.ports[i].Id != i)
            {
                throw new ArgumentException($"port ids must be 0..{this.ports.Length - 1} without gaps; found {this.ports[i].Id} at position {i}", nameof(ports));
            }
        }
    }

    public int Count => ports.Length;

    public IReadOnlyList<PortInfo> All => ports;

    /// <summary>The port with number <paramref name="id"/>; false for a number no port has.</summary>
    public bool TryGet(ushort id, [NotNullWhen(true)] out PortInfo? port)
    {
        var array = ports;
        if (id < (uint)array.Length)
        {
            port = array[id];
            return true;
        }

        port = null;
        return false;
    }

    public bool TryFind(string name, [NotNullWhen(true)] out PortInfo? port)
    {
        port = Array.Find(ports, p => p.Name == name);
        return port is not null;
    }
}
