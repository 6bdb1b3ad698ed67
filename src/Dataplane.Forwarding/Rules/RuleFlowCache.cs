using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dataplane.Forwarding.Rules;

/// <summary>
/// One worker's exact-match cache of classifier answers, in front of <see cref="RuleClassifier"/> as Open vSwitch's
/// EMC is in front of its classifier: direct-mapped by a hash of the key, an entry answers only for the same fields,
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
        if (size < 1 || (size & (size - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "a power of two");
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
        ref var entry = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(entries), (int)(hash >> 40) & mask);
        if (entry.Tag == tag && entry.Rest == rest && entry.Source == key.Source && entry.Destination == key.Destination)
        {
            Hits++;
            return entry.Rule;
        }

        Misses++;
        int rule = classifier.Lookup(in key);
        entry.Tag = tag;
        entry.Rest = rest;
        entry.Source = key.Source;
        entry.Destination = key.Destination;
        entry.Rule = rule;
        return rule;
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
