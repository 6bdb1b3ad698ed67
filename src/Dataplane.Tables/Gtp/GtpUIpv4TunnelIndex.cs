using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dataplane.Tables.Gtp;

/// <summary>
/// The receive lookup of the tunnels whose two endpoints are IPv4, by (peer, local address, TEID in) as 32-bit
/// values: an open-addressing array of 16-byte slots (four to a cache line, at most half full, linear probing), so
/// a lookup is a hash, usually one line and three compares, where the general key (two 32-byte addresses and the TEID
/// through a frozen dictionary) costs several times that. The hash is separate from the lookup so that a stage can
/// hash a whole vector first and prefetch each packet's slot (<see cref="Prefetch"/>) before it looks any up.
/// Immutable: built with its snapshot, published with it.
/// </summary>
public sealed class GtpUIpv4TunnelIndex
{
    public static readonly GtpUIpv4TunnelIndex Empty = new([]);

    private readonly Slot[] slots;
    private readonly GtpUTunnel[] tunnels;
    private readonly uint mask;

    internal GtpUIpv4TunnelIndex(IReadOnlyCollection<GtpUTunnel> ipv4Tunnels)
    {
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, ipv4Tunnels.Count * 2));
        slots = new Slot[size];
        tunnels = new GtpUTunnel[ipv4Tunnels.Count];
        mask = (uint)size - 1;
        int next = 0;
        foreach (var tunnel in ipv4Tunnels)
        {
            uint peer = tunnel.Peer.AsV4().Value;
            uint local = tunnel.Local.AsV4().Value;
            uint i = Hash(peer, local, tunnel.TeidIn) & mask;
            while (slots[i].Tunnel != 0)
            {
                i = (i + 1) & mask;
            }

            tunnels[next] = tunnel;
            slots[i] = new Slot(peer, local, tunnel.TeidIn, ++next);
        }
    }

    public int Count => tunnels.Length;

    /// <summary>The hash that <see cref="Prefetch"/> and <see cref="TryGet"/> take (the TEID varies most, so it leads).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Hash(uint peer, uint local, uint teid)
    {
        uint h = (teid * 0x9E3779B1u) ^ (peer * 0x85EBCA77u) ^ (local * 0xC2B2AE3Du);
        h ^= h >> 15;
        h *= 0x2C1B3C6Du;
        return h ^ (h >> 12);
    }

    /// <summary>Asks the CPU for the slot a lookup with <paramref name="hash"/> reads first (a hint: nothing is read).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(uint hash) =>
        CachePrefetch.Line(in Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(slots), (nint)(hash & mask)));

    /// <summary>The tunnel a G-PDU from <paramref name="peer"/> to <paramref name="local"/> with <paramref name="teid"/> belongs to; <paramref name="hash"/> is <see cref="Hash"/> of the three.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(uint hash, uint peer, uint local, uint teid, out GtpUTunnel? tunnel)
    {
        ref Slot first = ref MemoryMarshal.GetArrayDataReference(slots);
        uint i = hash & mask;
        while (true)
        {
            ref Slot slot = ref Unsafe.Add(ref first, (nint)i);
            if (slot.Tunnel == 0)
            {
                tunnel = null;
                return false;
            }

            if (slot.Teid == teid && slot.Peer == peer && slot.Local == local)
            {
                tunnel = tunnels[slot.Tunnel - 1];
                return true;
            }

            i = (i + 1) & mask; // at most half the slots are used, so an empty one ends every probe
        }
    }

    /// <summary>A used slot's key and its tunnel's position in the tunnel array plus one (0: empty).</summary>
    private readonly record struct Slot(uint Peer, uint Local, uint Teid, int Tunnel);
}
