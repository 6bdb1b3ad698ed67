using System.Runtime.CompilerServices;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Routing;

/// <summary>
/// The resolved link-layer state of one next-hop address, shared by every route through it (VPP's adjacency):
/// a route holds its binding, so forwarding reads the MAC with one load instead of a neighbour-table lookup per
/// packet, and a neighbour change (ARP/ND, configuration) updates every route through that next hop at once.
/// MAC (48 bits) and port (16 bits) are packed in one 64-bit word written atomically, so a reader never sees the
/// MAC of one resolution with the port of another. 0 means unresolved (the all-zero MAC is never a neighbour).
/// </summary>
public sealed class NextHopBinding
{
    private long packed;

    internal NextHopBinding()
    {
    }

    public bool IsResolved => Volatile.Read(ref packed) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(out Neighbour neighbour)
    {
        ulong value = (ulong)Volatile.Read(ref packed);
        neighbour = new Neighbour(new MacAddress(value >> 16), (ushort)value);
        return value != 0;
    }

    internal void Set(Neighbour neighbour) => Volatile.Write(ref packed, (long)((neighbour.Mac.Value << 16) | neighbour.Port));

    internal void Clear() => Volatile.Write(ref packed, 0);
}
