using System.Runtime.InteropServices;

namespace DpdkSharp;

/// <summary>Set-up calls of an ethdev (rte_eth_dev_*), each checked: a failure throws with DPDK's error text.</summary>
public static unsafe class EthDev
{
    /// <summary>The port id of a device EAL probed ("0000:01:00.0", "net_pcap0"); throws when there is none.</summary>
    public static ushort PortByName(string device)
    {
        var name = Marshal.StringToCoTaskMemUTF8(device);
        try
        {
            ushort port;
            int rc = Native.PortByName((byte*)name, &port);
            if (rc != 0)
            {
                throw new DpdkException($"no DPDK port named '{device}': EAL did not probe it (bind the NIC to vfio-pci, or pass --vdev={device},... in dpdk.eal)");
            }

            return port;
        }
        finally
        {
            Marshal.FreeCoTaskMem(name);
        }
    }

    /// <summary>Configures rx/tx queues; returns whether RSS spreads packets over the rx queues.</summary>
    public static bool Configure(ushort port, int rxQueues, int txQueues)
    {
        int rss;
        Check(Native.PortConfigure(port, (ushort)rxQueues, (ushort)txQueues, &rss), $"rte_eth_dev_configure(port {port}, {rxQueues} rx, {txQueues} tx)");
        return rss != 0;
    }

    public static void SetupRxQueue(ushort port, int queue, int descriptors, Mempool pool) =>
        Check(Native.RxQueueSetup(port, (ushort)queue, (ushort)descriptors, pool.Handle), $"rte_eth_rx_queue_setup(port {port}, queue {queue})");

    public static void SetupTxQueue(ushort port, int queue, int descriptors) =>
        Check(Native.TxQueueSetup(port, (ushort)queue, (ushort)descriptors), $"rte_eth_tx_queue_setup(port {port}, queue {queue})");

    public static void Start(ushort port) => Check(Native.PortStart(port), $"rte_eth_dev_start(port {port})");

    /// <summary>Stops and closes the port; errors are ignored (nothing useful to do about them on the way out).</summary>
    public static void StopAndClose(ushort port)
    {
        _ = Native.PortStop(port);
        _ = Native.PortClose(port);
    }

    /// <summary>Best effort: virtual devices (net_pcap, net_ring) may not support it, which is fine for them.</summary>
    public static bool TryEnablePromiscuous(ushort port) => Native.PromiscuousEnable(port) == 0;

    /// <summary>Best effort: some virtual devices do not support setting an MTU.</summary>
    public static bool TrySetMtu(ushort port, int mtu) => Native.MtuSet(port, (ushort)mtu) == 0;

    /// <summary>Link up?, and speed in Mb/s; null when the driver cannot tell.</summary>
    public static (bool Up, uint SpeedMbps)? LinkStatus(ushort port)
    {
        uint speed;
        int rc = Native.LinkStatus(port, &speed);
        return rc < 0 ? null : (rc == 1, speed);
    }

    /// <summary>How many extended statistics the driver keeps.</summary>
    public static int ExtendedStatisticsCount(ushort port) => Math.Max(0, Native.XstatsCount(port));

    private static void Check(int rc, string what)
    {
        if (rc < 0)
        {
            throw new DpdkException($"{what} failed: {Native.ErrorText(rc)} ({rc})");
        }
    }
}
