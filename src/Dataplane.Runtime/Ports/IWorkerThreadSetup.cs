namespace Dataplane.Runtime.Ports;

/// <summary>
/// A port whose driver wants to know the threads that poll it: DPDK gives a registered thread an lcore id, and with
/// it the mempool's per-lcore cache. The runtime calls these on each worker thread, after pinning it.
/// </summary>
public interface IWorkerThreadSetup
{
    /// <summary>Prepares the calling worker thread; returns a warning for the log, or null when all is well.</summary>
    string? PrepareWorkerThread();

    /// <summary>Undoes <see cref="PrepareWorkerThread"/> on the calling thread as it ends.</summary>
    void ReleaseWorkerThread();
}
