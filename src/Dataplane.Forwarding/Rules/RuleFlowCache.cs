using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dataplane.Forwarding.Rules;

/// <summary>
/// One worker's exact-match cache of classifier answers, in front of <see cref="RuleClassifier"/> as Open vSwitch's
/// EMC is in front of its classifier: two-way set-associative by a hash of the key, an entry answers only for the same fields,
/// the same classifier and the same rule-set generation, so a rule change needs no flush (older entries simply stop
/// answering). A flow's packets after its first cost a hash and a compare instead of a classification. Per worker: no
/// sharing, no locks.
/// </summary>
public sealed class RuleFlowCache
{
    public const int DefaultEntries = 4096;

    private readonly Entry[] entries;
    private readonly int mask;

    public RuleFlowCache(int size = DefaultEntries)
    {
        if (size < 2 || (size & (size - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "a power of two, at least 2");
        }

        entries = new Entry[size];
        mask = size - 1;
    }

    /// <summary>Lookups answered by the cache, and those that went to the classifier (this worker's; for measurements).</summary>
    public long Hits { get; private set; }

    public long Misses { get; private set; }

    /// <summary>
    /// The rule index <paramref name="classifier"/> (number <paramref name="table"/> of the rule set of
    /// <paramref name="generation"/>, from 1) gives <paramref name="key"/> (or -1), from the cache when it holds the answer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Lookup(int generation, RuleClassifier classifier, int table, in RuleKey key)
    {
        ulong rest = key.PackedRest;
        long tag = ((long)generation << 32) | (uint)table;
        ulong hash = Hash(key.Source, key.Destination, rest ^ (ulong)tag);
        ref var first = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(entries), (int)(hash >> 40) & mask & ~1);
        if (first.Tag == tag && first.Rest == rest && first.Source == key.Source && first.Destination == key.Destination)
        {
            Hits++;
            return first.Rule;
        }

        ref var second = ref Unsafe.Add(ref first, 1);
        if (second.Tag == tag && second.Rest == rest && second.Source == key.Source && second.Destination == key.Destination)
        {
            Hits++;
            (first, second) = (second, first); // the most recent first
            return first.Rule;
        }

        // Two ways per set, least recently used out: two flows whose hashes meet do not evict each other.
        Misses++;
        int rule = classifier.Lookup(in key);
        second = first;
        first.Tag = tag;
        first.Rest = rest;
        first.Source = key.Source;
        first.Destination = key.Destination;
        first.Rule = rule;
        return rule;
    }

    /// <summary>Asks the CPU for the entry <see cref="Lookup"/> will read for this key, a few packets ahead (a hint only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(int generation, int table, in RuleKey key)
    {
        long tag = ((long)generation << 32) | (uint)table;
        ulong hash = Hash(key.Source, key.Destination, key.PackedRest ^ (ulong)tag);
        Dataplane.Tables.CachePrefetch.Line(in Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(entries), (int)(hash >> 40) & mask & ~1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash(UInt128 source, UInt128 destination, ulong rest)
    {
        ulong h = ((ulong)source ^ (ulong)(source >> 64)) * 0x9E3779B97F4A7C15UL;
        h ^= ((ulong)destination ^ (ulong)(destination >> 64)) * 0xC2B2AE3D27D4EB4FUL;
        h ^= rest * 0x165667B19E3779F9UL;
        return h ^ (h >> 29);
    }

    private struct Entry
    {
        public UInt128 Source;
        public UInt128 Destination;
        public ulong Rest;

        /// <summary>Generation (high 32 bits, from 1) and classifier; 0 = empty.</summary>
        public long Tag;
        public int Rule;
    }
}
