using Dataplane.Forwarding.Buffers;

namespace Dataplane.Runtime.Ports;

/// <summary>The open ports by number, so a buffer goes back to the port that owns it (the packet's ingress port).</summary>
public sealed class PortSet : IDisposable
{
    private readonly IPacketPort[] ports;
    private int disposed;

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

    /// <summary>
    /// Closes every port, each on a helper thread waited for at most <paramref name="bound"/>, so a port whose close
    /// hangs (an AF_PACKET munmap or close stuck in the kernel) is named instead of hanging the daemon's exit.
    /// Returns how each close went.
    /// </summary>
    public IReadOnlyList<PortCloseResult> DisposeWithin(TimeSpan bound)
    {
        var results = new List<PortCloseResult>();
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return results;
        }

        foreach (var port in ports)
        {
            Exception? failure = null;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var closer = new Thread(() =>
            {
                try
                {
                    port.Dispose();
                }
                catch (Exception e)
                {
                    failure = e;
                }
            }) { Name = $"close-{port.Name}", IsBackground = true };
            closer.Start();
            bool finished = closer.Join(bound);
            results.Add(new PortCloseResult(port.Name, watch.Elapsed, finished,
                finished && failure is not null ? $"{failure.GetType().Name}: {failure.Message}" : null));
        }

        return results;
    }

    /// <summary>
    /// Leaves the ports open for good (Dispose does nothing after this): when a worker may still be inside a port
    /// call, unmapping its ring under it would crash the process; the kernel closes everything at exit instead.
    /// </summary>
    public void LeaveOpen() => Interlocked.Exchange(ref disposed, 1);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        foreach (var port in ports)
        {
            port.Dispose();
        }
    }
}

/// <summary>How closing one port went: <paramref name="Finished"/> false when it was still closing at the bound.</summary>
public sealed record PortCloseResult(string Port, TimeSpan Took, bool Finished, string? Failure)
{
    public bool Clean => Finished && Failure is null;

    public override string ToString() =>
        !Finished ? $"port {Port}: close did not finish within {Took.TotalSeconds:F1} s (left to the kernel at exit)"
        : Failure is not null ? $"port {Port}: close failed: {Failure}"
        : $"port {Port}: closed in {Took.TotalMilliseconds:F0} ms";
}
