using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tables.Lpm;

/// <summary>
/// IPv6 longest-prefix match: a leaf-pushed multibit trie with a 16-bit root stride and 8-bit strides
/// below (16 + 14 x 8 = 128), nodes kept in one flat pool. A lookup reads one entry per level, at most 15,
/// and stops at the first entry that is not a pointer. Values are next-hop indices (0..<see cref="MaxValue"/>).
/// </summary>
/// <remarks>
/// <para>Entry word (uint): bit 31 valid, bit 30 extended (low bits are a child node index), bits 0..23
/// the value. The prefix length behind each entry lives in a parallel byte array only the writer reads.</para>
/// <para>Memory: root 2^16 x (4 + 1) B = 320 KiB; each node 256 x (4 + 1) B = 1.25 KiB. A prefix longer than
/// /16 needs at most (length - 16) / 8 rounded up nodes of its own, shared with prefixes on the same path;
/// the pool starts at <c>initialNodes</c> and doubles as needed. Measured on 50k random Internet-shaped
/// routes (which share little below the root): ~2.9 nodes, ~3.7 KiB per route before pool slack; real
/// tables share more of their paths.</para>
/// <para>Concurrency: as <see cref="Ipv4LpmTable"/>. Lock-free readers, one writer at a time; a new node is
/// filled completely (copies of the entry it replaces) before the pointer to it is published with
/// <see cref="Volatile.Write(ref uint, uint)"/>; a grown pool is published before any pointer into its new
/// part. A node emptied of longer routes by a remove is retired and only reused after
/// <see cref="ReclaimRetiredNodes"/>, which the owner calls at a quiescent point.</para>
/// </remarks>
public sealed class Ipv6LpmTable
{
    public const uint MaxValue = 0xFF_FFFF;

    public const uint NoValue = uint.MaxValue;

    private const uint Valid = 1u << 31;
    private const uint Extended = 1u << 30;
    private const uint IndexMask = Extended - 1;
    private const int RootBits = 16;
    private const int NodeSize = 256;

    private readonly uint[] _root = new uint[1 << RootBits];
    private readonly byte[] _rootDepth = new byte[1 << RootBits];
    private uint[] _nodes;
    private byte[] _nodeDepth;
    private int _nodesAllocated;
    private readonly DeferredFreeList _unlinkedNodes = new();
    private readonly Dictionary<UInt128, uint>[] _rules = new Dictionary<UInt128, uint>[129];
    private readonly Lock _writer = new();

    public Ipv6LpmTable(int initialNodes = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialNodes, 1);
        _nodes = new uint[initialNodes * NodeSize];
        _nodeDepth = new byte[initialNodes * NodeSize];
        for (int i = 0; i < _rules.Length; i++)
        {
            _rules[i] = [];
        }
    }

    public int Count { get; private set; }

    public int NodesInUse => _nodesAllocated - _unlinkedNodes.FreeCount - _unlinkedNodes.RetiredCount;

    public int NodesRetired => _unlinkedNodes.RetiredCount;

    /// <summary>Bytes held by the lookup arrays and their writer-side depth shadows.</summary>
    public long LookupBytes => (_root.LongLength * 5) + (Volatile.Read(ref _nodes).LongLength * 5);

    /// <summary>The hot path: one read per level, no allocation, no lock.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookup(Ipv6Address address, out uint value) => Decode(Walk(address.Value), out value);

    /// <summary>Writes each value, or <see cref="NoValue"/> for a miss; returns how many were found.</summary>
    public int LookupBatch(ReadOnlySpan<UInt128> addresses, Span<uint> values)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(values.Length, addresses.Length);
        int found = 0;
        for (int i = 0; i < addresses.Length; i++)
        {
            bool hit = Decode(Walk(addresses[i]), out uint value);
            values[i] = hit ? value : NoValue;
            found += hit ? 1 : 0;
        }

        return found;
    }

    /// <summary>The most addresses <see cref="LookupBatchInterleaved"/> takes at once (a worker's batch).</summary>
    public const int MaxInterleaved = 256;

    /// <summary>
    /// <see cref="LookupBatch"/> with the walks interleaved: level by level across the whole batch, the next entry of
    /// every walk prefetched before any of them is read. A single walk is a chain of dependent loads (up to 15); at a
    /// million prefixes its lower levels miss the caches, one after another. Interleaved, the misses of different
    /// walks overlap, so the batch waits for about one miss per level instead of one per level per address. The
    /// results are those of <see cref="TryLookup"/> (the same entries, read the same way).
    /// </summary>
    public int LookupBatchInterleaved(ReadOnlySpan<UInt128> addresses, Span<uint> values)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(addresses.Length, MaxInterleaved);
        ArgumentOutOfRangeException.ThrowIfLessThan(values.Length, addresses.Length);
        int count = addresses.Length;
        Span<uint> entries = stackalloc uint[count];
        Span<nint> nextSlot = stackalloc nint[count]; // where the walk reads next in the node pool, -1 when it has ended
        Span<byte> level = stackalloc byte[count];  // levels walked below the root
        ref uint root = ref MemoryMarshal.GetArrayDataReference(_root);
        uint[] nodes = Volatile.Read(ref _nodes);
        int active = 0;
        for (int i = 0; i < count; i++)
        {
            uint e = Volatile.Read(ref Unsafe.Add(ref root, (nint)(ulong)(addresses[i] >> (128 - RootBits))));
            entries[i] = e;
            level[i] = 0;
            nextSlot[i] = (e & Extended) != 0 ? ChildSlot(e, addresses[i], 0) : -1;
            if (nextSlot[i] >= 0)
            {
                CachePrefetch.Line(in Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(nodes), nextSlot[i]));
                active++;
            }
        }

        while (active > 0)
        {
            // Re-read the pool per level, as Walk does: a pointer read here may be newer than the pool read before.
            nodes = Volatile.Read(ref _nodes);
            ref uint pool = ref MemoryMarshal.GetArrayDataReference(nodes);
            active = 0;
            for (int i = 0; i < count; i++)
            {
                if (nextSlot[i] < 0)
                {
                    continue;
                }

                uint e = Volatile.Read(ref Unsafe.Add(ref pool, nextSlot[i]));
                entries[i] = e;
                int depth = ++level[i];
                nextSlot[i] = (e & Extended) != 0 && depth < 14 ? ChildSlot(e, addresses[i], depth) : -1;
                if ((e & Extended) != 0 && depth >= 14)
                {
                    entries[i] = 0; // a pointer below the last level cannot be; Walk reads the same as a miss
                }

                if (nextSlot[i] >= 0)
                {
                    CachePrefetch.Line(in Unsafe.Add(ref pool, nextSlot[i]));
                    active++;
                }
            }
        }

        int found = 0;
        for (int i = 0; i < count; i++)
        {
            bool hit = Decode(entries[i], out uint value);
            values[i] = hit ? value : NoValue;
            found += hit ? 1 : 0;
        }

        return found;
    }

    // The pool index of the entry a walk reads below a pointer at `depth` levels under the root: the address's
    // byte at bit offset 16 + 8 * depth, taken from the 64-bit half that holds it as Walk does (a UInt128 shift is a
    // call, not an instruction).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint ChildSlot(uint pointer, UInt128 address, int depth)
    {
        ulong half = depth < 6 ? (ulong)(address >> 64) : (ulong)address;
        int shift = depth < 6 ? 40 - (8 * depth) : 56 - (8 * (depth - 6));
        return ((nint)(pointer & IndexMask) * NodeSize) + (nint)((half >> shift) & 0xFF);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Decode(uint e, out uint value)
    {
        value = e & MaxValue;
        return (e & Valid) != 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Walk(UInt128 address)
    {
        ulong word = (ulong)(address >> 64);
        ulong low = (ulong)address;
        uint e = Volatile.Read(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_root), (nint)(word >> 48)));
        int shift = 40;
        while ((e & Extended) != 0)
        {
            // Re-read the pool per level: a pointer read here may be newer than the pool read a level up.
            uint[] nodes = Volatile.Read(ref _nodes);
            nint slot = ((nint)(e & IndexMask) * NodeSize) + (nint)((word >> shift) & 0xFF);
            e = Volatile.Read(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(nodes), slot));
            shift -= 8;
            if (shift < 0)
            {
                word = low;
                shift = 56;
            }
        }

        return e;
    }

    public bool TryAdd(Ipv6Address prefix, int length, uint value) => Add(prefix, length, value, replace: false);

    public bool AddOrReplace(Ipv6Address prefix, int length, uint value) => Add(prefix, length, value, replace: true);

    public bool Remove(Ipv6Address prefix, int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, 128u, nameof(length));
        UInt128 key = prefix.Value & Mask(length);
        lock (_writer)
        {
            if (!_rules[length].Remove(key))
            {
                return false;
            }

            Count--;
            uint replacement = 0;
            int replacementDepth = 0;
            for (int shorter = length - 1; shorter >= 0; shorter--)
            {
                if (_rules[shorter].TryGetValue(key & Mask(shorter), out uint value))
                {
                    replacement = Valid | value;
                    replacementDepth = shorter;
                    break;
                }
            }

            Apply(key, length, replacement, replacementDepth, removing: true);
            return true;
        }
    }

    public bool TryGetRoute(Ipv6Address prefix, int length, out uint value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, 128u, nameof(length));
        lock (_writer)
        {
            return _rules[length].TryGetValue(prefix.Value & Mask(length), out value);
        }
    }

    /// <summary>Makes retired nodes reusable; only when no reader can still be in an older lookup.</summary>
    public void ReclaimRetiredNodes()
    {
        lock (_writer)
        {
            _unlinkedNodes.Reclaim();
        }
    }

    private bool Add(Ipv6Address prefix, int length, uint value, bool replace)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, 128u, nameof(length));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxValue);
        UInt128 key = prefix.Value & Mask(length);
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

            Apply(key, length, Valid | value, length, removing: false);
            return !exists;
        }
    }

    // Level 0 is the root (bits 0..15); level k >= 1 covers bits 16 + 8(k-1) .. 16 + 8k - 1.
    private static int LevelEnd(int level) => RootBits + (8 * level);

    private static int LevelOf(int length) => length <= RootBits ? 0 : (length - RootBits + 7) / 8;

    private static int IndexAt(UInt128 address, int level) => level == 0
        ? (int)(address >> (128 - RootBits))
        : (int)((address >> (128 - LevelEnd(level))) & 0xFF);

    // A slot is (node, index); node -1 is the root. The pool may be replaced while writing, so slots are
    // resolved through the fields at each access.
    private ref uint EntryAt(int node, int index) =>
        ref node < 0 ? ref _root[index] : ref _nodes[(node * NodeSize) + index];

    private ref byte DepthAt(int node, int index) =>
        ref node < 0 ? ref _rootDepth[index] : ref _nodeDepth[(node * NodeSize) + index];

    private void Apply(UInt128 key, int length, uint entry, int depth, bool removing)
    {
        int target = LevelOf(length);
        Span<int> path = stackalloc int[16];
        Span<int> pathIndex = stackalloc int[16];
        int node = -1;
        for (int level = 0; level < target; level++)
        {
            int index = IndexAt(key, level);
            path[level] = node;
            pathIndex[level] = index;
            uint e = EntryAt(node, index);
            if ((e & Extended) == 0)
            {
                if (removing)
                {
                    return; // unreachable: a route below this level keeps its path of nodes
                }

                // Push the current entry down into a complete new node, then publish the pointer.
                byte d = DepthAt(node, index);
                int child = AllocateNode();
                _nodes.AsSpan(child * NodeSize, NodeSize).Fill(e);
                _nodeDepth.AsSpan(child * NodeSize, NodeSize).Fill(d);
                Volatile.Write(ref EntryAt(node, index), Extended | (uint)child);
                e = Extended | (uint)child;
            }

            node = (int)(e & IndexMask);
        }

        int first = IndexAt(key, target);
        int count = 1 << (LevelEnd(target) - length);
        for (int index = first; index < first + count; index++)
        {
            Update(node, index, length, entry, depth, removing);
        }

        if (removing)
        {
            Collapse(node, target, path, pathIndex);
        }
    }

    private void Update(int node, int index, int length, uint entry, int depth, bool removing)
    {
        uint e = EntryAt(node, index);
        if ((e & Extended) != 0)
        {
            int child = (int)(e & IndexMask);
            for (int j = 0; j < NodeSize; j++)
            {
                Update(child, j, length, entry, depth, removing);
            }

            return;
        }

        int current = DepthAt(node, index);
        bool owns = removing ? (e & Valid) != 0 && current == length : (e & Valid) == 0 || current <= length;
        if (owns)
        {
            DepthAt(node, index) = (byte)depth;
            Volatile.Write(ref EntryAt(node, index), entry);
        }
    }

    // Walks up from the deepest node of a removed route: a node with no pointer and no entry longer than
    // its parent's coverage holds one entry repeated, so the parent can hold it and the node is retired.
    private void Collapse(int node, int level, Span<int> path, Span<int> pathIndex)
    {
        for (; level > 0; level--)
        {
            int baseIndex = node * NodeSize;
            int parentCoverage = LevelEnd(level - 1);
            for (int j = 0; j < NodeSize; j++)
            {
                if ((_nodes[baseIndex + j] & Extended) != 0 || _nodeDepth[baseIndex + j] > parentCoverage)
                {
                    return;
                }
            }

            int parent = path[level - 1];
            int index = pathIndex[level - 1];
            DepthAt(parent, index) = _nodeDepth[baseIndex];
            Volatile.Write(ref EntryAt(parent, index), _nodes[baseIndex]);
            _unlinkedNodes.Retire(node);
            node = parent;
        }
    }

    private int AllocateNode()
    {
        if (_unlinkedNodes.TryTake(out int node))
        {
            return node;
        }

        if ((long)(_nodesAllocated + 1) * NodeSize > _nodes.Length)
        {
            long grown = (long)_nodes.Length * 2;
            if (grown > Array.MaxLength)
            {
                throw new InvalidOperationException("IPv6 LPM node pool exhausted.");
            }

            var depths = new byte[grown];
            _nodeDepth.AsSpan().CopyTo(depths);
            _nodeDepth = depths;
            var bigger = new uint[grown];
            _nodes.AsSpan().CopyTo(bigger);
            Volatile.Write(ref _nodes, bigger);
        }

        return _nodesAllocated++;
    }

    private static UInt128 Mask(int length) => length == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - length);
}
