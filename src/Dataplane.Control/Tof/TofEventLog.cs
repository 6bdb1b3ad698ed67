using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Tof;
using Dataplane.Runtime.Workers;

namespace Dataplane.Control.Tof;

/// <summary>
/// Drains the workers' tunnel events on the control thread, writes each as a log line, and hands it to
/// <see cref="Published"/> (where the control socket's subscription can attach). Events a full ring dropped are
/// reported as a count.
/// </summary>
public sealed class TofEventLog(TofFeature tof, Action<string> log) : IControlPlaneService
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
            log(tunnelEvent.ToString());
            Published?.Invoke(tunnelEvent);
        }

        long lost = tof.LostEvents;
        if (lost != lostReported)
        {
            log($"tof: {lost - lostReported} tunnel event(s) lost (a worker's event ring was full)");
            lostReported = lost;
        }
    }
}
