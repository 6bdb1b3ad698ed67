using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dataplane.Forwarding.Rules;

/// <summary>
/// First-match packet classification over ranges of six fields by Lakshman and Stiliadis's bit vectors: per field, the
/// sorted boundaries of every row's range cut the field into intervals, and each interval holds the bitmap of the rows
/// whose range covers it (bit i = row i, rows in priority order). A lookup finds each field's interval by binary
/// search and ANDs the fields' bitmaps word by word; the first set bit is the match, so the scan stops at the first
/// word with one. 1000 rows are 16 words; a field no row narrows is left out of the lookup. Bitmaps that repeat
/// (most intervals of a field) are stored once. Immutable once built: a rule change builds a new one.
/// </summary>
public sealed class RuleClassifier
{
    private readonly FieldTable[] fields;
    private readonly ulong[] bitmaps;
    private readonly int[] rowRule;
    private readonly int words;

    public RuleClassifier(IReadOnlyList<ClassifierEntry> rows, bool v6)
    {
        Rows = rows;
        words = Math.Max(1, (rows.Count + 63) / 64);
        rowRule = new int[words * 64];
        rowRule.AsSpan().Fill(-1);
        for (int r = 0; r < rows.Count; r++)
        {
            rowRule[r] = rows[r].Rule;
        }

        var unique = new Dictionary<BitmapKey, int>();
        var store = new List<ulong>();
        var tables = new List<FieldTable>();
        for (int f = 0; f < RuleField.Count; f++)
        {
            var any = RuleField.Any(f, v6);
            bool narrowed = false;
            foreach (var row in rows)
            {
                narrowed |= row.Fields[f] != any;
            }

            if (narrowed)
            {
                tables.Add(BuildField(f, rows, unique, store));
            }
        }

        // A set bit for every row: the classifier's answer when no field is narrowed (every row matches everything).
        var all = new ulong[words];
        for (int r = 0; r < rows.Count; r++)
        {
            all[r >> 6] |= 1UL << (r & 63);
        }

        AllRowsOffset = Intern(all, unique, store);
        fields = [.. tables];
        bitmaps = [.. store];
    }

    /// <summary>The rows, in priority order.</summary>
    public IReadOnlyList<ClassifierEntry> Rows { get; }

    /// <summary>Fields the lookup searches (those some row narrows).</summary>
    public int SearchedFields => fields.Length;

    private int AllRowsOffset { get; }

    /// <summary>The rule of the first row that matches <paramref name="key"/>, or -1.</summary>
    public int Lookup(in RuleKey key) => LookupAfter(in key, -1);

    /// <summary>
    /// The rule of the first row matching <paramref name="key"/> whose rule comes after <paramref name="after"/> in
    /// priority order (rules are numbered in that order), or -1: the next rule once a count-only rule has counted.
    /// </summary>
    public int LookupAfter(in RuleKey key, int after)
    {
        Span<int> offsets = stackalloc int[RuleField.Count];
        int count = fields.Length;
        for (int f = 0; f < count; f++)
        {
            offsets[f] = fields[f].Find(key.Field(fields[f].Field));
        }

        if (count == 0)
        {
            offsets[0] = AllRowsOffset;
            count = 1;
        }

        ref ulong store = ref MemoryMarshal.GetArrayDataReference(bitmaps);
        for (int w = 0; w < words; w++)
        {
            ulong acc = Unsafe.Add(ref store, offsets[0] + w);
            for (int f = 1; f < count && acc != 0; f++)
            {
                acc &= Unsafe.Add(ref store, offsets[f] + w);
            }

            while (acc != 0)
            {
                int rule = rowRule[(w << 6) + BitOperations.TrailingZeroCount(acc)];
                if (rule > after)
                {
                    return rule;
                }

                acc &= acc - 1;
            }
        }

        return -1;
    }

    private FieldTable BuildField(int field, IReadOnlyList<ClassifierEntry> rows, Dictionary<BitmapKey, int> unique, List<ulong> store)
    {
        // Each row adds itself where its range starts and removes itself just past where it ends.
        var starts = new SortedDictionary<UInt128, List<int>>();
        var ends = new SortedDictionary<UInt128, List<int>>();
        var points = new SortedSet<UInt128> { UInt128.Zero };
        for (int r = 0; r < rows.Count; r++)
        {
            var range = rows[r].Fields[field];
            Add(starts, range.Low, r);
            points.Add(range.Low);
            if (range.High != UInt128.MaxValue)
            {
                Add(ends, range.High + 1, r);
                points.Add(range.High + 1);
            }
        }

        var bitmap = new ulong[words];
        var boundaries = new UInt128[points.Count];
        var offsets = new int[points.Count];
        int i = 0;
        foreach (var point in points)
        {
            if (ends.TryGetValue(point, out var leaving))
            {
                foreach (int r in leaving)
                {
                    bitmap[r >> 6] &= ~(1UL << (r & 63));
                }
            }

            if (starts.TryGetValue(point, out var entering))
            {
                foreach (int r in entering)
                {
                    bitmap[r >> 6] |= 1UL << (r & 63);
                }
            }

            boundaries[i] = point;
            offsets[i] = Intern(bitmap, unique, store);
            i++;
        }

        return new FieldTable(field, boundaries, offsets);
    }

    private static void Add(SortedDictionary<UInt128, List<int>> at, UInt128 point, int row)
    {
        if (!at.TryGetValue(point, out var list))
        {
            at[point] = list = [];
        }

        list.Add(row);
    }

    private static int Intern(ulong[] bitmap, Dictionary<BitmapKey, int> unique, List<ulong> store)
    {
        var key = new BitmapKey([.. bitmap]);
        if (!unique.TryGetValue(key, out int offset))
        {
            offset = store.Count;
            store.AddRange(bitmap);
            unique[key] = offset;
        }

        return offset;
    }

    /// <summary>One field's intervals: the first value of each, ascending (the first is 0), and where its bitmap is.</summary>
    private sealed class FieldTable(int field, UInt128[] boundaries, int[] offsets)
    {
        public int Field { get; } = field;

        /// <summary>The bitmap offset of the interval holding <paramref name="value"/>: the last boundary not above it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Find(UInt128 value)
        {
            int low = 0;
            int high = boundaries.Length - 1;
            while (low < high)
            {
                int mid = (low + high + 1) >> 1;
                if (boundaries[mid] <= value)
                {
                    low = mid;
                }
                else
                {
                    high = mid - 1;
                }
            }

            return offsets[low];
        }
    }

    private readonly struct BitmapKey(ulong[] words) : IEquatable<BitmapKey>
    {
        private readonly ulong[] words = words;

        public bool Equals(BitmapKey other) => words.AsSpan().SequenceEqual(other.words);

        public override bool Equals(object? obj) => obj is BitmapKey other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            hash.AddBytes(MemoryMarshal.AsBytes(words.AsSpan()));
            return hash.ToHashCode();
        }
    }
}
