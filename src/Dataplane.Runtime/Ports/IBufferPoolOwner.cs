namespace Dataplane.Runtime.Ports;

/// <summary>
/// A port that owns packet buffers (a copy pool, a receive ring, a mempool) and can say how many are taken, for the
/// metrics: a pool that runs empty drops packets before any stage sees them, so its use is what to watch.
/// </summary>
public interface IBufferPoolOwner
{
    /// <summary>Its pools now; read from the scraper's thread, so each figure may be a moment old.</summary>
    IReadOnlyList<BufferPoolUse> BufferPools { get; }
}

/// <summary>One pool's use: <paramref name="InUse"/> buffers taken out of <paramref name="Capacity"/>.</summary>
/// <param name="Pool">The pool's name, unique in the daemon (the port's name for a port's own pool).</param>
public readonly record struct BufferPoolUse(string Pool, long InUse, long Capacity);
