using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tables.Lpm;

/// <summary>
/// IPv6 longest-prefix match: a leaf-pushed multibit trie with a direct-indexed first level of 16 or 24 bits and
/// 8-bit strides below it, nodes kept in one flat pool. A lookup reads one entry per level and stops at the first
/// entry that is not a pointer: with the 24-bit first level a /32 route is found in 2 reads and a /48 in 4 (3 and 5
/// with 16 bits), the widths that allocations and map-cache EIDs end on. Values are next-hop indices
/// (0..<see cref="MaxValue"/>).
/// </summary>
/// <remarks>
/// <para>Entry word (uint): bit 31 valid, bit 30 extended (bits 0..29 are then a child node index), bits 0..23
/// the value. A first-level entry that is not a pointer also keeps the prefix length behind it in bits 24..29 (at
/// most 24 there); node entries keep it in a parallel byte array. Readers mask the value, so only the writer sees
/// either.</para>
/// <para>First level: 2^16 x 4 B = 256 KiB, or 2^24 x 4 B = 64 MiB. A table starts at <c>firstLevelBits</c> (16 by
/// default, what a small instance should cost) and widens to 24 bits once it holds <c>widenAtNodes</c> nodes
/// (<see cref="DefaultWidenAtNodes"/> = 16K, 20 MiB of nodes, tens of thousands of routes): from then on the 64 MiB
/// is at most about three times what the table already holds, and it takes one level off every lookup. So many
/// small instances stay small and only the big tables pay the 64 MiB; pass 24 to start wide, or
/// <see cref="int.MaxValue"/> as <c>widenAtNodes</c> to stay at 16 bits.</para>
/// <para>Nodes: 256 x (4 + 1) B = 1.25 KiB. A prefix longer than the first level needs at most one node per 8 bits
/// below it, shared with the prefixes on the same path; the pool starts at <c>initialNodes</c> and doubles as
/// needed (up to half of it can be slack). Measured at 1M prefixes: docs/performance.md.</para>
/// <para>The first level and the pool are pinned arrays on 2 MiB pages where Linux allows it
/// (<see cref="HugePageArray"/>): at a million prefixes almost every read of a walk lands on another 4 KiB page, and
/// with 4 KiB pages the TLB misses and page walks took about a third of a lookup at 1M prefixes.</para>
/// <para>Concurrency: as <see cref="Ipv4LpmTable"/>. Lock-free readers, one writer at a time; a new node is
/// filled completely (copies of the entry it replaces) before the pointer to it is published with
/// <see cref="Volatile.Write(ref uint, uint)"/>; a grown pool is published before any pointer into its new
/// part, and a widened first level only once it is complete. A node emptied of longer routes by a remove, or
/// folded into a widened first level, is retired and only reused after <see cref="ReclaimRetiredNodes"/>, which
/// the owner calls at a quiescent point; a reader still on the old first level walks nodes that are unchanged.</para>
/// </remarks>
public sealed class Ipv6LpmTable
{
    public const uint MaxValue = 0xFF_FFFF;

    public const uint NoValue = uint.MaxValue;

    /// <summary>Nodes in use at which a 16-bit first level widens to 24 bits (see the remarks).</summary>
    public const int DefaultWidenAtNodes = 16 * 1024;

    /// <summary>The most addresses <see cref="LookupBatchInterleaved"/> takes at once (a worker's batch).</summary>
    public const int MaxInterleaved = 256;

    private const uint Valid = 1u << 31;
    private const uint Extended = 1u << 30;
    private const uint IndexMask = Extended - 1;
    private const int FirstLevelDepthShift = 24;
    private const int NodeSize = 256;
    private const int WideBits = 24;

    // LookupBatchInterleaved steps every walk of the batch while more than 1 in this many go on, then only those.
    private const int StragglerShare = 4;

    private uint[] _root;
    private uint[] _nodes;
    private byte[] _nodeDepth;
    private int _nodesAllocated;
    private readonly int _widenAtNodes;
    private readonly DeferredFreeList _unlinkedNodes = new();
    private readonly Dictionary<UInt128, uint>[] _rules = new Dictionary<UInt128, uint>[129];
    private readonly Lock _writer = new();

    public Ipv6LpmTable(int initialNodes = 64, int firstLevelBits = 16, int widenAtNodes = DefaultWidenAtNodes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialNodes, 1);
        if (firstLevelBits is not (16 or WideBits))
        {
            throw new ArgumentOutOfRangeException(nameof(firstLevelBits), firstLevelBits, "16 or 24");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(widenAtNodes, 1);
        if (!BitConverter.IsLittleEndian)
        {
            // LookupBatchInterleaved reads an address's bytes from the UInt128 as stored.
            throw new PlatformNotSupportedException("Ipv6LpmTable needs a little-endian machine.");
        }

        _root = HugePageArray.AllocateUninitialized<uint>(1 << firstLevelBits);
        Array.Clear(_root);
        _nodes = HugePageArray.AllocateUninitialized<uint>(initialNodes * NodeSize); // a node is written whole before it is linked

        _nodeDepth = new byte[initialNodes * NodeSize];
        _widenAtNodes = widenAtNodes;
        for (int i = 0; i < _rules.Length; i++)
        {
            _rules[i] = [];
        }
    }

    public int Count { get; private set; }

    public int NodesInUse => _nodesAllocated - _unlinkedNodes.FreeCount - _unlinkedNodes.RetiredCount;

    public int NodesRetired => _unlinkedNodes.RetiredCount;

    /// <summary>Bits the first level is indexed by now: 16, or 24 once widened.</summary>
    public int FirstLevelBits => BitOperations.Log2((uint)Volatile.Read(ref _root).Length);

    /// <summary>Bytes of the nodes in use, each 256 entries of 4 B plus the writer's 1 B length shadow: what the routes cost beyond the first level.</summary>
    public long NodeBytesInUse => (long)NodesInUse * NodeSize * 5;

    /// <summary>Bytes held by the lookup arrays (first level and node pool, slack included) and the pool's writer-side depth shadow.</summary>
    public long LookupBytes => (Volatile.Read(ref _root).LongLength * 4) + (Volatile.Read(ref _nodes).LongLength * 5);

    /// <summary>The hot path: one read per level, no allocation, no lock.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookup(Ipv6Address address, out uint value) => Decode(Walk(address.Value), out value);

    /// <summary>Writes each value, or <see cref="NoValue"/> for a miss; returns how many were found. One walk after the other.</summary>
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

    /// <summary>
    /// <see cref="LookupBatch"/> with the walks interleaved: the whole batch level by level, one pass over every walk
    /// still going per level. A single walk is a chain of dependent loads, and at a million prefixes its lower levels
    /// miss L1 and L2; the reads of one pass are independent of each other, so the out-of-order core keeps as many
    /// misses in flight as it has fill buffers, across the whole batch rather than a fixed group, and no walk waits
    /// for a slower one beside it. The walks' entries live in <paramref name="values"/> until the last pass. Once at
    /// most a quarter of the walks still go on (the longer prefixes below the common depth), the passes run over a
    /// list of those instead of the whole batch. The results are those of <see cref="TryLookup"/> (the same entries,
    /// read the same way).
    /// </summary>
    public int LookupBatchInterleaved(ReadOnlySpan<UInt128> addresses, Span<uint> values)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(addresses.Length, MaxInterleaved);
        ArgumentOutOfRangeException.ThrowIfLessThan(values.Length, addresses.Length);
        uint[] rootArray = Volatile.Read(ref _root);
        ref uint root = ref MemoryMarshal.GetArrayDataReference(rootArray);
        int rootBits = BitOperations.Log2((uint)rootArray.Length);
        int rootShift = 64 - rootBits;

        // The addresses as stored: UInt128s, low half first, little-endian, so the most significant byte is last.
        ref byte address = ref Unsafe.As<UInt128, byte>(ref MemoryMarshal.GetReference(addresses));
        ref uint walk = ref MemoryMarshal.GetReference(values);
        nint count = addresses.Length;
        nint going = 0;
        for (nint i = 0; i < count; i++)
        {
            ulong high = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref address, (16 * i) + 8));
            uint e = Volatile.Read(ref Unsafe.Add(ref root, (nint)(high >> rootShift)));
            Unsafe.Add(ref walk, i) = e;
            going += (nint)((e >> 30) & 1);
        }

        // Where, within an address as stored, the byte that indexes the next node is.
        nint at = 15 - (rootBits / 8);
        while (going * StragglerShare > count)
        {
            going = StepAll(ref walk, count, ref Unsafe.Add(ref address, at));
            at--;
        }

        if (going > 0)
        {
            StepStragglers(ref walk, count, ref address, at);
        }

        int found = 0;
        for (nint i = 0; i < count; i++)
        {
            uint e = Unsafe.Add(ref walk, i);
            found += (int)(e >> 31);
            Unsafe.Add(ref walk, i) = Result(e);
        }

        return found;
    }

    // One level of every walk of the batch (`stride` is walk 0's index byte; walk i's is 16 i bytes on); returns how
    // many still go on. Four walks per iteration: fewer loop branches, and four independent reads in flight each.
    private nint StepAll(ref uint walk, nint count, ref byte stride)
    {
        // Re-read the pool per level, as Walk does: a pointer read in the last pass may be newer than the pool read before.
        ref uint pool = ref MemoryMarshal.GetArrayDataReference(Volatile.Read(ref _nodes));
        nint going = 0;
        nint i = 0;
        for (; i + 4 <= count; i += 4)
        {
            ref uint w = ref Unsafe.Add(ref walk, i);
            ref byte s = ref Unsafe.Add(ref stride, 16 * i);
            uint e0 = Step(w, s, ref pool);
            uint e1 = Step(Unsafe.Add(ref w, 1), Unsafe.Add(ref s, 16), ref pool);
            uint e2 = Step(Unsafe.Add(ref w, 2), Unsafe.Add(ref s, 32), ref pool);
            uint e3 = Step(Unsafe.Add(ref w, 3), Unsafe.Add(ref s, 48), ref pool);
            w = e0;
            Unsafe.Add(ref w, 1) = e1;
            Unsafe.Add(ref w, 2) = e2;
            Unsafe.Add(ref w, 3) = e3;
            going += (nint)(((e0 >> 30) & 1) + ((e1 >> 30) & 1) + ((e2 >> 30) & 1) + ((e3 >> 30) & 1));
        }

        for (; i < count; i++)
        {
            uint e = Step(Unsafe.Add(ref walk, i), Unsafe.Add(ref stride, 16 * i), ref pool);
            Unsafe.Add(ref walk, i) = e;
            going += (nint)((e >> 30) & 1);
        }

        return going;
    }

    // The levels left once few walks go on: a list of those walks, shortened after each level (written in place,
    // without a branch per walk), so that each level costs what its walks cost and not the whole batch.
    private void StepStragglers(ref uint walk, nint count, ref byte address, nint at)
    {
        Span<byte> list = stackalloc byte[MaxInterleaved];
        ref byte listed = ref MemoryMarshal.GetReference(list);
        nint going = 0;
        for (nint i = 0; i < count; i++)
        {
            Unsafe.Add(ref listed, going) = (byte)i;
            going += (nint)((Unsafe.Add(ref walk, i) >> 30) & 1);
        }

        while (going > 0)
        {
            ref uint pool = ref MemoryMarshal.GetArrayDataReference(Volatile.Read(ref _nodes));
            nint still = 0;
            for (nint k = 0; k < going; k++)
            {
                nint i = Unsafe.Add(ref listed, k);
                uint e = Step(Unsafe.Add(ref walk, i), Unsafe.Add(ref address, at + (16 * i)), ref pool);
                Unsafe.Add(ref walk, i) = e;
                Unsafe.Add(ref listed, still) = (byte)i;
                still += (nint)((e >> 30) & 1);
            }

            going = still;
            at--;
        }
    }

    // One level of one walk: the child entry if `e` points to a node, else `e` itself. The read happens either way
    // (pool word 0 for an ended walk; a pool always has a node) so that the choice is a conditional move.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Step(uint e, byte stride, ref uint pool)
    {
        bool more = (e & Extended) != 0;
        nint slot = more ? ((nint)(e & IndexMask) * NodeSize) + stride : 0;
        uint next = Volatile.Read(ref Unsafe.Add(ref pool, slot));
        return more ? next : e;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Result(uint e) => (e & Valid) != 0 ? e & MaxValue : NoValue;

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
        uint[] root = Volatile.Read(ref _root);
        int rootBits = BitOperations.Log2((uint)root.Length);
        uint e = Volatile.Read(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(root), (nint)(word >> (64 - rootBits))));
        int shift = 56 - rootBits;
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
            if (_root.Length < 1 << WideBits && NodesInUse >= _widenAtNodes)
            {
                WidenFirstLevel();
            }

            return !exists;
        }
    }

    // Writer side. Level 0 is the first level (bits 0..R-1, R its width); level k >= 1 covers bits R + 8(k-1) .. R + 8k - 1.
    private int RootBits => BitOperations.Log2((uint)_root.Length);

    private int LevelEnd(int level) => RootBits + (8 * level);

    private int LevelOf(int length) => length <= RootBits ? 0 : (length - RootBits + 7) / 8;

    private int IndexAt(UInt128 address, int level) => level == 0
        ? (int)(address >> (128 - RootBits))
        : (int)((address >> (128 - LevelEnd(level))) & 0xFF);

    // A slot is (node, index); node -1 is the first level. The pool may be replaced while writing, so slots are
    // resolved through the fields at each access.
    private uint EntryAt(int node, int index) => node < 0 ? _root[index] : _nodes[(node * NodeSize) + index];

    // The prefix length behind an entry that is not a pointer.
    private int DepthAt(int node, int index) =>
        node < 0 ? (int)((_root[index] >> FirstLevelDepthShift) & 0x3F) : _nodeDepth[(node * NodeSize) + index];

    // Publishes an entry (and the length behind it when it is not a pointer): one word for readers either way.
    private void SetEntry(int node, int index, uint entry, int depth)
    {
        if (node < 0)
        {
            Volatile.Write(ref _root[index], (entry & Extended) != 0 ? entry : entry | ((uint)depth << FirstLevelDepthShift));
        }
        else
        {
            _nodeDepth[(node * NodeSize) + index] = (byte)depth;
            Volatile.Write(ref _nodes[(node * NodeSize) + index], entry);
        }
    }

    // The entry as readers decode it: a first-level entry without the length bits.
    private uint PlainEntryAt(int node, int index)
    {
        uint e = EntryAt(node, index);
        return (e & Extended) != 0 ? e : e & (Valid | MaxValue);
    }

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
                int d = DepthAt(node, index);
                uint plain = PlainEntryAt(node, index);
                int child = AllocateNode();
                _nodes.AsSpan(child * NodeSize, NodeSize).Fill(plain);
                _nodeDepth.AsSpan(child * NodeSize, NodeSize).Fill((byte)d);
                SetEntry(node, index, Extended | (uint)child, 0);
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
            SetEntry(node, index, entry, depth);
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
            SetEntry(parent, index, _nodes[baseIndex], _nodeDepth[baseIndex]);
            _unlinkedNodes.Retire(node);
            node = parent;
        }
    }

    // 16 -> 24 bits: each first-level entry becomes 256 consecutive ones, the level-1 node it pointed to (copied, its
    // entries' lengths moved into the entry word) or its own entry repeated. Pointers below level 1 are copied as they
    // are: the nodes they point to cover the same bits under the wider first level. Readers switch when the complete
    // array is published; the folded nodes are retired, unchanged, for readers still on the old array.
    private void WidenFirstLevel()
    {
        uint[] narrow = _root;
        int spread = WideBits - RootBits;
        var wide = HugePageArray.AllocateUninitialized<uint>(1 << WideBits); // every entry is written below
        for (int i = 0; i < narrow.Length; i++)
        {
            uint e = narrow[i];
            Span<uint> target = wide.AsSpan(i << spread, 1 << spread);
            if ((e & Extended) == 0)
            {
                target.Fill(e);
                continue;
            }

            int node = (int)(e & IndexMask);
            for (int j = 0; j < NodeSize; j++)
            {
                uint child = _nodes[(node * NodeSize) + j];
                target[j] = (child & Extended) != 0 ? child : child | ((uint)_nodeDepth[(node * NodeSize) + j] << FirstLevelDepthShift);
            }

            _unlinkedNodes.Retire(node);
        }

        Volatile.Write(ref _root, wide);
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
            var bigger = HugePageArray.AllocateUninitialized<uint>((int)grown); // the part past the copy is written before it is linked
            _nodes.AsSpan().CopyTo(bigger);
            Volatile.Write(ref _nodes, bigger);
        }

        return _nodesAllocated++;
    }

    private static UInt128 Mask(int length) => length == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - length);
}
