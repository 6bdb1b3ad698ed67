namespace Dataplane.Ports.Dpdk;

/// <summary>
/// Which port numbers are DPDK ports. A descriptor's owner is an <c>rte_mbuf*</c> only when a DPDK port received
/// it; other ports' owners are pool indexes or ring slots, which must never be dereferenced as mbufs. So Transmit
/// asks here before looking into the mbuf.
/// </summary>
internal static class DpdkPortRegistry
{
    private static readonly bool[] IsDpdk = new bool[ushort.MaxValue + 1];

    public static void Register(ushort portId) => Volatile.Write(ref IsDpdk[portId], true);

    public static bool IsDpdkPort(ushort portId) => IsDpdk[portId];
}
