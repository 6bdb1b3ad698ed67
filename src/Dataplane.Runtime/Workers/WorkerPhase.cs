namespace Dataplane.Runtime.Workers;

/// <summary>
/// What a worker is doing, for a stop that does not finish: written with plain stores at each change (a few per
/// batch, no allocation), read by the stopping thread only when a worker failed to stop in time.
/// </summary>
public enum WorkerPhase
{
    NotStarted,
    Receive,
    Process,
    Transmit,
    Quiescent,
    IdleWait,
    Stopped,
}
