using System.Runtime.InteropServices;

namespace DpdkSharp;

/// <summary>
/// net_ring ports made from named rings (<c>rte_eth_from_rings</c>), for a wire without a NIC. Two ports created
/// with their ring names swapped face each other like the two ends of a cable: what one transmits the other
/// receives. (A <c>--vdev=net_ring0</c> device is a loopback instead: its rx ring is its tx ring.)
/// </summary>
public static unsafe class RingPorts
{
    /// <summary>Ring slots; one less than this many mbufs fit.</summary>
    public const int DefaultRingSize = 1024;

    /// <summary>
    /// Creates the port "net_ring_<paramref name="name"/>" receiving from ring <paramref name="rxRing"/> and
    /// transmitting into ring <paramref name="txRing"/> (each created on first use). Returns the device name, which
    /// <see cref="EthDev.PortByName"/> and a config's <c>dpdkDevice</c> take. EAL must be initialised.
    /// </summary>
    public static string Create(string name, string rxRing, string txRing, int ringSize = DefaultRingSize)
    {
        var nativeName = Marshal.StringToCoTaskMemUTF8(name);
        var nativeRx = Marshal.StringToCoTaskMemUTF8(rxRing);
        var nativeTx = Marshal.StringToCoTaskMemUTF8(txRing);
        try
        {
            int rc = Native.RingPortCreate((byte*)nativeName, (byte*)nativeRx, (byte*)nativeTx, (uint)ringSize);
            if (rc < 0)
            {
                throw new DpdkException($"rte_eth_from_rings({name}, rx {rxRing}, tx {txRing}) failed: {Native.ErrorText(rc)} ({rc})");
            }

            return "net_ring_" + name;
        }
        finally
        {
            Marshal.FreeCoTaskMem(nativeName);
            Marshal.FreeCoTaskMem(nativeRx);
            Marshal.FreeCoTaskMem(nativeTx);
        }
    }
}
