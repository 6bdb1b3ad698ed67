using System.Diagnostics;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Egress;

namespace Dataplane.Runtime.Egress;

/// <summary>
/// A worker's egress schedulers, one per port configured with <c>egress</c> (docs/configuration/egress.md): the
/// worker queues every packet bound for such a port here instead of in its tx burst, and lets out what the
/// schedulers allow at each poll. A worker with no shaped port has none of this (null), and sends as before.
/// </summary>
public sealed class WorkerEgress
{
    private readonly EgressScheduler?[] byPort;
    private readonly int[] shapedPorts;

    private WorkerEgress(EgressScheduler?[] byPort, IReadOnlyList<string> portNames)
    {
        this.byPort = byPort;
        var shaped = new List<int>();
        for (int p = 0; p < byPort.Length; p++)
        {
            if (byPort[p] is not null)
            {
                shaped.Add(p);
            }
        }

        shapedPorts = [.. shaped];
        PortNames = portNames;
    }

    /// <summary>
    /// The schedulers of one of <paramref name="workers"/> workers, each with its share of the port's rates; null
    /// when no port of <paramref name="config"/> has an <c>egress</c> section.
    /// </summary>
    public static WorkerEgress? Create(DataplaneConfig config, int workers) => Create(config, workers, Stopwatch.GetTimestamp());

    internal static WorkerEgress? Create(DataplaneConfig config, int workers, long nowTicks)
    {
        if (!config.Ports.Any(port => port.Egress is not null))
        {
            return null;
        }

        var byPort = new EgressScheduler?[config.Ports.Count];
        for (int p = 0; p < byPort.Length; p++)
        {
            if (config.Ports[p].Egress is { } egress)
            {
                byPort[p] = new EgressScheduler(EgressSchedulerSettings.From(egress, workers), Stopwatch.Frequency, nowTicks);
            }
        }

        return new WorkerEgress(byPort, [.. config.Ports.Select(port => port.Name)]);
    }

    /// <summary>Port names by port number, for the metrics' port label.</summary>
    public IReadOnlyList<string> PortNames { get; }

    /// <summary>The port numbers with a scheduler.</summary>
    public ReadOnlySpan<int> ShapedPorts => shapedPorts;

    /// <summary>The scheduler of port <paramref name="port"/>, or null when the port is not shaped.</summary>
    public EgressScheduler? For(int port) => (uint)port < (uint)byPort.Length ? byPort[port] : null;

    /// <summary>Packets waiting over every shaped port.</summary>
    public int Backlog
    {
        get
        {
            int total = 0;
            foreach (int p in shapedPorts)
            {
                total += byPort[p]!.Backlog;
            }

            return total;
        }
    }
}
