namespace Dataplane.Tables.MapCache;

/// <summary>
/// The locator choice of one entry, computed once when the entry is built so that choosing on the hot path is a
/// single array index. RFC 9301 rules: among up locators with priority below 255, the lowest priority wins;
/// locators tied at that priority share flows in proportion to their weights (all zero = equal share; a zero
/// weight next to non-zero ones gets no share); a flow hash picks the slot, so one flow always sticks to one RLOC.
/// A degraded locator (the ITR measured too much jitter on it) takes no share while a locator of the same best
/// priority is not degraded; when all of them are degraded, weights apply as if none were. Priorities come first:
/// a degraded locator of the best priority still wins over a healthy one of a worse priority (they are the ETR's policy).
/// <para>
/// The weighted table has <see cref="TableSize"/> one-byte slots (one cache line) filled by largest remainder, so
/// a share is exact to 1/64 (about 1.6 points of a percentage). A state change (locator down, priority change)
/// builds a new entry with a new selector; nothing here is ever mutated after construction.
/// </para>
/// </summary>
public readonly struct LocatorSelector
{
    /// <summary>Slots of the weighted table; a power of two so the slot is <c>hash &amp; (TableSize - 1)</c>.</summary>
    public const int TableSize = 64;

    // Null when fewer than two locators are usable: then `singlePlusOne - 1` is the answer (-1 for none).
    // Stored off by one so that a default(LocatorSelector) selects nothing rather than locator 0.
    private readonly byte[]? table;

    // Indices (into the entry's locator array) of the usable best-priority locators, in locator order.
    private readonly byte[] best;

    private readonly int singlePlusOne;

    private LocatorSelector(byte[]? table, byte[] best, int single)
    {
        this.table = table;
        this.best = best;
        singlePlusOne = single + 1;
    }

    /// <summary>How many locators share the best usable priority; 0 means nothing can be chosen.</summary>
    public int UsableCount => best?.Length ?? 0;

    /// <summary>Indices of the usable best-priority locators (the set the source-port mode chooses from).</summary>
    public ReadOnlySpan<byte> BestIndices => best;

    /// <summary>The index of the locator for a flow, or -1 when no locator is usable (the caller drops and counts).</summary>
    public int Select(uint flowHash)
    {
        byte[]? slots = table;
        return slots is null ? singlePlusOne - 1 : slots[(int)(flowHash & (TableSize - 1))];
    }

    /// <summary>
    /// The LISP+MPTCP mode: the N usable best-priority locators are numbered in locator order and the
    /// inner source port picks one, <c>port % N</c>, ignoring weights, so an MPTCP subflow chooses its path
    /// by choosing its port. Returns -1 when no locator is usable.
    /// </summary>
    public int SelectBySourcePort(ushort sourcePort)
    {
        byte[]? set = best;
        return set is null || set.Length == 0 ? -1 : set[sourcePort % set.Length];
    }

    internal static LocatorSelector Build(ReadOnlySpan<Locator> locators)
    {
        int bestPriority = int.MaxValue;
        foreach (var locator in locators)
        {
            if (locator.IsUsable && locator.Priority < bestPriority)
            {
                bestPriority = locator.Priority;
            }
        }

        bool anyHealthy = false;
        foreach (var locator in locators)
        {
            anyHealthy |= locator.IsUsable && locator.Priority == bestPriority && !locator.IsDegraded;
        }

        Span<byte> chosen = stackalloc byte[locators.Length];
        int count = 0;
        int weightSum = 0;
        for (int i = 0; i < locators.Length; i++)
        {
            if (locators[i].IsUsable && locators[i].Priority == bestPriority && !(anyHealthy && locators[i].IsDegraded))
            {
                chosen[count++] = (byte)i;
                weightSum += locators[i].Weight;
            }
        }

        byte[] bestSet = chosen[..count].ToArray();
        if (count < 2)
        {
            return new LocatorSelector(null, bestSet, count == 0 ? -1 : bestSet[0]);
        }

        // Largest-remainder apportionment of TableSize slots by weight.
        Span<int> slots = stackalloc int[count];
        Span<long> remainders = stackalloc long[count];
        int assigned = 0;
        for (int k = 0; k < count; k++)
        {
            long weight = weightSum == 0 ? 1 : locators[bestSet[k]].Weight;
            long total = weightSum == 0 ? count : weightSum;
            long scaled = weight * TableSize;
            slots[k] = (int)(scaled / total);
            remainders[k] = weight == 0 ? -1 : scaled % total;
            assigned += slots[k];
        }

        while (assigned < TableSize)
        {
            int largest = 0;
            for (int k = 1; k < count; k++)
            {
                if (remainders[k] > remainders[largest])
                {
                    largest = k;
                }
            }

            slots[largest]++;
            remainders[largest] = -1;
            assigned++;
        }

        var table = new byte[TableSize];
        int next = 0;
        for (int k = 0; k < count; k++)
        {
            table.AsSpan(next, slots[k]).Fill(bestSet[k]);
            next += slots[k];
        }

        return new LocatorSelector(table, bestSet, -1);
    }
}
