using Dataplane.Control.Logging;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Tof;
using Dataplane.Runtime.Workers;
using Microsoft.Extensions.Logging;

namespace Dataplane.Control.Tof;

/// <summary>
/// Drains the workers' tunnel events on the control thread, logs each (category Tof, information), and hands it to
/// <see cref="Published"/> (where the control socket's subscription can attach). Events a full ring dropped are
/// reported as a count.
/// </summary>
public sealed class TofEventLog(TofFeature tof, ILogger log) : IControlPlaneService
{
    private readonly List<TofTunnelEvent> drained = [];
    private long lostReported;

    /// <summary>Called, on the control thread, with every event in the order its worker saw them.</summary>
    public event Action<TofTunnelEvent>? Published;

    public void OnPunt(in PacketDescriptor packet)
    {
    }

    public void OnTick(long nowMilliseconds)
    {
        drained.Clear();
        tof.DrainEvents(drained);
        foreach (var tunnelEvent in drained)
        {
            if (log.IsEnabled(LogLevel.Information))
            {
                var e = tunnelEvent;
                TofLog.TunnelEvent(log, e.Ue.IsV6 ? $"{e.Ue}/64" : e.Ue.ToString(), e.Kind.ToString().ToLowerInvariant(), e.Direction.ToString().ToLowerInvariant(), e.Source.ToString(), e.Destination.ToString(), e.Teid);
            }

            Published?.Invoke(tunnelEvent);
        }

        long lost = tof.LostEvents;
        if (lost != lostReported)
        {
            TofLog.EventsLost(log, lost - lostReported);
            lostReported = lost;
        }
    }
}
