namespace DpdkSharp;

/// <summary>
/// Our workers are .NET threads, not EAL lcores. Registered (<c>rte_thread_register</c>), a thread gets an lcore id
/// and with it the mempool's per-lcore cache, so allocating and freeing mbufs does not contend on the pool's ring.
/// </summary>
public static class LcoreThreads
{
    /// <summary>Registers the calling thread; false (and the reason) when EAL has no lcore id left.</summary>
    public static bool TryRegisterCurrent(out string problem)
    {
        int rc = Native.ThreadRegister();
        problem = rc == 0 ? "" : $"rte_thread_register failed: {Native.ErrorText(rc)} ({rc}); mbuf allocation runs without a per-lcore cache";
        return rc == 0;
    }

    /// <summary>Gives the calling thread's lcore id back (a no-op for a thread that never registered).</summary>
    public static void UnregisterCurrent() => Native.ThreadUnregister();
}
