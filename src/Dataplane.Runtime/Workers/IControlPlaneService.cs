using Dataplane.Forwarding.Buffers;

namespace Dataplane.Runtime.Workers;

/// <summary>
/// A piece of the control plane that runs on the runtime's control thread: it sees every packet the workers punt
/// (before the buffer is freed) and gets a tick every control round (about every 10 ms) for its timers. It never
/// runs on a worker thread, so it may allocate, lock and take its time, within reason.
/// </summary>
public interface IControlPlaneService
{
    /// <summary>A punted packet; the frame stays valid only during the call.</summary>
    void OnPunt(in PacketDescriptor packet);

    /// <summary>Timers: retransmissions, registrations, probes. <paramref name="nowMilliseconds"/> is Environment.TickCount64.</summary>
    void OnTick(long nowMilliseconds);
}
