using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tables.Lpm;

/// <summary>
/// IPv4 longest-prefix match, DIR-24-8 (as DPDK rte_lpm): a lookup is one read of a 2^24-entry first level
/// indexed by the top 24 bits and, only for /25../32 routes, one read of a 256-entry second-level group.
/// Values are next-hop indices (0..<see cref="MaxValue"/>); the caller keeps the real next hops in its own array.
/// </summary>
/// <remarks>
/// <para>Entry word (uint): bit 31 valid, bit 30 extended (low 24 bits are a group index), bits 24..29 the
/// prefix length that produced the entry (so the writer knows what a new route may overwrite), bits 0..23
/// the value. One word per entry means a reader sees the old or the new entry, never a torn one.</para>
/// <para>Memory: 4 B per entry. First level 2^24 x 4 B = 64 MiB, one managed large-object-heap array
/// allocated up front whatever the number of routes. Each second-level group is 256 x 4 B = 1 KiB, one per
/// /24 that holds a route longer than /24; the group array starts at <c>initialGroups</c> and doubles as
/// needed (so up to half of it can be slack). Writer-side rules cost one dictionary slot per route (~20 B
/// plus growth slack). Measured: 870k routes (3% longer than /24) use 30k groups, 96 MiB of arrays.</para>
/// <para>Concurrency: any number of lock-free readers, one writer at a time (writers serialise on a private
/// lock). A new group is filled completely before the first-level entry that points to it is published with
/// <see cref="Volatile.Write(ref uint, uint)"/>; a grown group array is published before any entry refers
/// to a new group. A group freed by a remove is only <em>retired</em>: it is not reused until the owner
/// calls <see cref="ReclaimRetiredGroups"/> at a quiescent point (every reader has finished the lookups it
/// started before the remove, e.g. every worker has passed a batch boundary). Without that call retired
/// groups are simply never reused, which is safe and costs 1 KiB each.</para>
/// </remarks>
public sealed class Ipv4LpmTable
{
    /// <summary>The largest value a route can carry (24 bits, as rte_lpm).</summary>
    public const uint MaxValue = 0xFF_FFFF;

    /// <summary>What <see cref="LookupBatch"/> writes for an address no route covers.</summary>
    public const uint NoValue = uint.MaxValue;

    private const uint Valid = 1u << 31;
    private const uint Extended = 1u << 30;
    private const int DepthShift = 24;
    private const uint ValueMask = 0xFF_FFFF;
    private const int GroupSize = 256;

    // Readers read the first level with acquire semantics; the second level through an address that
    // depends on it, so they see a group's contents as they were when its pointer was published.
    // 64 MiB read at random: on 2 MiB pages where Linux allows, so a lookup does not also miss the TLB.
    private readonly uint[] _tbl24 = HugePageArray.AllocateZeroed<uint>(1 << 24);
    private uint[] _tbl8;
    private int _groupsAllocated;
    private readonly DeferredFreeList _unlinkedGroups = new();
    private readonly Dictionary<uint, uint>[] _rules = new Dictionary<uint, uint>[33];
    private readonly Lock _writer = new();

    public Ipv4LpmTable(int initialGroups = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialGroups, 1);
        _tbl8 = new uint[initialGroups * GroupSize];
        for (int i = 0; i < _rules.Length; i++)
        {
            _rules[i] = [];
        }
    }

    /// <summary>Number of routes.</summary>
    public int Count { get; private set; }

    /// <summary>Second-level groups currently referenced by the first level.</summary>
    public int GroupsInUse => _groupsAllocated - _unlinkedGroups.FreeCount - _unlinkedGroups.RetiredCount;

    /// <summary>Groups freed by removes and waiting for <see cref="ReclaimRetiredGroups"/>.</summary>
    public int GroupsRetired => _unlinkedGroups.RetiredCount;

    /// <summary>Bytes held by the lookup arrays (first level plus the group array's capacity).</summary>
    public long LookupBytes => (_tbl24.LongLength + Volatile.Read(ref _tbl8).LongLength) * sizeof(uint);

    /// <summary>The hot path: at most two array reads, no allocation, no lock.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookup(Ipv4Address address, out uint value)
    {
        uint a = address.Value;
        uint e = Volatile.Read(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_tbl24), (nint)(a >> 8)));
        if ((e & Extended) != 0)
        {
            // Read the group array after the entry: it is at least as new as the array the group was put in.
            uint[] tbl8 = Volatile.Read(ref _tbl8);
            e = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(tbl8), ((nint)(e & ValueMask) * GroupSize) + (nint)(a & 0xFF));
        }

        value = e & ValueMask;
        return (e & Valid) != 0;
    }

    /// <summary>Prefetches the first-level entry a lookup of <paramref name="address"/> reads (<see cref="CachePrefetch"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchLookup(Ipv4Address address) =>
        CachePrefetch.Line(in Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_tbl24), (nint)(address.Value >> 8)));

    /// <summary>
    /// Looks up host-order addresses; writes each value, or <see cref="NoValue"/> for a miss, and returns
    /// how many were found.
    /// </summary>
    public int LookupBatch(ReadOnlySpan<uint> addresses, Span<uint> values)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(values.Length, addresses.Length);
        ref uint tbl24 = ref MemoryMarshal.GetArrayDataReference(_tbl24);
        int found = 0;
        for (int i = 0; i < addresses.Length; i++)
        {
            uint a = addresses[i];
            uint e = Volatile.Read(ref Unsafe.Add(ref tbl24, (nint)(a >> 8)));
            if ((e & Extended) != 0)
            {
                uint[] tbl8 = Volatile.Read(ref _tbl8);
                e = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(tbl8), ((nint)(e & ValueMask) * GroupSize) + (nint)(a & 0xFF));
            }

            bool hit = (e & Valid) != 0;
            values[i] = hit ? e & ValueMask : NoValue;
            found += hit ? 1 : 0;
        }

        return found;
    }

    /// <summary>Adds a route; false if a route for the same prefix and length exists. Host bits are ignored.</summary>
    public bool TryAdd(Ipv4Address prefix, int length, uint value) => Add(prefix, length, value, replace: false);

    /// <summary>Adds or replaces a route; true if it was new. Host bits are ignored.</summary>
    public bool AddOrReplace(Ipv4Address prefix, int length, uint value) => Add(prefix, length, value, replace: true);

    /// <summary>Removes a route; addresses it covered fall back to the next-shorter covering route.</summary>
    public bool Remove(Ipv4Address prefix, int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, 32u, nameof(length));
        uint key = prefix.Value & Mask(length);
        lock (_writer)
        {
            if (!_rules[length].Remove(key))
            {
                return false;
            }

            Count--;
            uint replacement = 0;
            for (int shorter = length - 1; shorter >= 0; shorter--)
            {
                if (_rules[shorter].TryGetValue(key & Mask(shorter), out uint value))
                {
                    replacement = Entry(shorter, value);
                    break;
                }
            }

            Apply(key, length, replacement, removing: true);
            return true;
        }
    }

    /// <summary>Looks up the exact route for a prefix (writer-side rules, not the hot path).</summary>
    public bool TryGetRoute(Ipv4Address prefix, int length, out uint value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, 32u, nameof(length));
        lock (_writer)
        {
            return _rules[length].TryGetValue(prefix.Value & Mask(length), out value);
        }
    }

    /// <summary>
    /// Makes retired groups reusable. Call only when no reader can still be in a lookup that started before
    /// the removes that retired them.
    /// </summary>
    public void ReclaimRetiredGroups()
    {
        lock (_writer)
        {
            _unlinkedGroups.Reclaim();
        }
    }

    private bool Add(Ipv4Address prefix, int length, uint value, bool replace)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, 32u, nameof(length));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxValue);
        uint key = prefix.Value & Mask(length);
        lock (_writer)
        {
            bool exists = _rules[length].TryGetValue(key, out uint current);
            if (exists && (!replace || current == value))
            {
                return false; // nothing to rewrite: a /0 rewrite would touch every entry for nothing
            }

            _rules[length][key] = value;
            if (!exists)
            {
                Count++;
            }

            Apply(key, length, Entry(length, value), removing: false);
            return !exists;
        }
    }

    // Writes `entry` over every entry the prefix covers that it should own: when adding, those from routes
    // no longer than it; when removing, those it produced (exactly its length).
    private void Apply(uint key, int length, uint entry, bool removing)
    {
        if (length <= 24)
        {
            int first = (int)(key >> 8);
            int end = first + (1 << (24 - length));
            for (int i = first; i < end; i++)
            {
                uint e = _tbl24[i];
                if ((e & Extended) != 0)
                {
                    uint[] tbl8 = _tbl8;
                    int group = (int)(e & ValueMask) * GroupSize;
                    for (int j = group; j < group + GroupSize; j++)
                    {
                        if (Owns(tbl8[j], length, removing))
                        {
                            Volatile.Write(ref tbl8[j], entry);
                        }
                    }
                }
                else if (Owns(e, length, removing))
                {
                    Volatile.Write(ref _tbl24[i], entry);
                }
            }

            return;
        }

        int index = (int)(key >> 8);
        int start = (int)(key & 0xFF);
        int count = 1 << (32 - length);
        uint top = _tbl24[index];
        if ((top & Extended) == 0)
        {
            if (removing)
            {
                return; // unreachable: a route longer than /24 always has its group
            }

            // Fill the whole new group (copies of the covering entry plus the new route), then publish it.
            int group = AllocateGroup();
            uint[] fresh = _tbl8;
            int baseIndex = group * GroupSize;
            fresh.AsSpan(baseIndex, GroupSize).Fill(top);
            fresh.AsSpan(baseIndex + start, count).Fill(entry);
            Volatile.Write(ref _tbl24[index], Extended | (uint)group);
            return;
        }

        uint[] groups = _tbl8;
        int at = (int)(top & ValueMask) * GroupSize;
        for (int j = at + start; j < at + start + count; j++)
        {
            if (Owns(groups[j], length, removing))
            {
                Volatile.Write(ref groups[j], entry);
            }
        }

        if (removing)
        {
            TryCollapse(index, at);
        }
    }

    // When no route longer than /24 is left in a group, its entries all come from the same covering
    // route (or none), so the first-level entry can hold that directly and the group is retired.
    private void TryCollapse(int index, int at)
    {
        uint[] groups = _tbl8;
        for (int j = at; j < at + GroupSize; j++)
        {
            if (Depth(groups[j]) > 24)
            {
                return;
            }
        }

        Volatile.Write(ref _tbl24[index], groups[at]);
        _unlinkedGroups.Retire(at / GroupSize);
    }

    private int AllocateGroup()
    {
        if (_unlinkedGroups.TryTake(out int group))
        {
            return group;
        }

        if ((long)(_groupsAllocated + 1) * GroupSize > _tbl8.Length)
        {
            // Copy, then publish the bigger array before any entry refers to a group beyond the old one.
            // Readers still holding the old array see old but consistent contents for that one lookup.
            long grown = Math.Min((long)_tbl8.Length * 2, (long)(ValueMask + 1) * GroupSize);
            if (grown > Array.MaxLength || grown <= _tbl8.Length)
            {
                throw new InvalidOperationException("IPv4 LPM second-level groups exhausted.");
            }

            var bigger = new uint[grown];
            _tbl8.AsSpan().CopyTo(bigger);
            Volatile.Write(ref _tbl8, bigger);
        }

        return _groupsAllocated++;
    }

    private static bool Owns(uint e, int length, bool removing) =>
        removing ? (e & Valid) != 0 && Depth(e) == length : (e & Valid) == 0 || Depth(e) <= length;

    private static int Depth(uint e) => (int)((e >> DepthShift) & 0x3F);

    private static uint Entry(int length, uint value) => Valid | ((uint)length << DepthShift) | value;

    private static uint Mask(int length) => length == 0 ? 0 : uint.MaxValue << (32 - length);
}
