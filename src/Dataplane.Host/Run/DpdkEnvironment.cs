using Dataplane.Forwarding.Configuration;
using DpdkSharp;

namespace Dataplane.Host.Run;

/// <summary>
/// EAL and the one mbuf pool every DPDK port shares, set up on the first dpdk port opened (EAL runs once per
/// process, with dpdk.eal unchanged).
/// </summary>
internal static class DpdkEnvironment
{
    private static Mempool? pool;

    public static Mempool Pool(DataplaneConfig config)
    {
        if (pool is null)
        {
            Eal.Initialize(config.Dpdk?.Eal ?? []);
            pool = Mempool.Create("dataplane_pool", config.Dpdk?.MbufCount ?? 8191);
        }

        return pool;
    }
}
