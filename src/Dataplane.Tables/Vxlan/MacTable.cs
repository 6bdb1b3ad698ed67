using System.Numerics;
using System.Runtime.CompilerServices;

namespace Dataplane.Tables.Vxlan;

/// <summary>
/// The learned part of a VTEP's forwarding database: (bridge domain, MAC) to a local port or a remote VTEP, with
/// aging. A fixed-size open-addressing table (linear probing over a bounded window) of two 64-bit words per
/// slot: the key (domain + 1 in bits 48..63, MAC in bits 0..47; 0 = empty) and a packed <see cref="MacTableEntry"/>.
/// <para>
/// Many workers learn at once and nobody locks. A key is claimed once with a compare-exchange from 0; entries
/// change only by compare-exchange, so a refresh never lands on a slot another writer just reclaimed. An expired
/// slot is reclaimed for another MAC in three steps: entry to 0 (CAS, only if still expired), key to the new key
/// (CAS), then the new entry. A reader reads key, entry, key again and takes the entry only when the two key
/// reads agree and the entry is valid, so it sees the old binding, the new one, or a miss, never a mix.
/// </para>
/// <para>
/// The table never grows on the hot path: when the probe window holds neither the key, nor an empty slot, nor an
/// expired one, the learn is refused (<see cref="MacLearnResult.TableFull"/>) and the frame is still forwarded
/// (flooded or dropped as unknown). Static entries live apart (see the VTEP's bridge domains) and always win.
/// </para>
/// </summary>
public sealed class MacTable
{
    /// <summary>Slots probed from the home slot; bounds the work of a lookup and a learn.</summary>
    public const int ProbeWindow = 16;

    private readonly ulong[] keys;
    private readonly ulong[] entries;
    private readonly int mask;
    private readonly int shift;

    /// <param name="capacity">Most MACs held; rounded up to a power of two, at least <see cref="ProbeWindow"/>.</param>
    public MacTable(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, ProbeWindow));
        keys = new ulong[size];
        entries = new ulong[size];
        mask = size - 1;
        shift = 64 - BitOperations.Log2((uint)size);
    }

    public int Capacity => keys.Length;

    /// <summary>Slots holding a valid entry (expired or not); a scan, for the control plane and tests.</summary>
    public int Count
    {
        get
        {
            int count = 0;
            for (int i = 0; i < entries.Length; i++)
            {
                if (new MacTableEntry(Volatile.Read(ref entries[i])).IsValid)
                {
                    count++;
                }
            }

            return count;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Key(ushort domain, ulong mac) => ((ulong)(domain + 1) << 48) | (mac & 0xFFFF_FFFF_FFFFUL);

    /// <summary>The live entry for a MAC: valid and seen within <paramref name="agingSeconds"/> of <paramref name="nowSecond"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookup(ushort domain, ulong mac, uint nowSecond, uint agingSeconds, out MacTableEntry entry)
    {
        ulong key = Key(domain, mac);
        int home = Home(key);
        for (int i = 0; i < ProbeWindow; i++)
        {
            int slot = (home + i) & mask;
            ulong first = Volatile.Read(ref keys[slot]);
            if (first == 0)
            {
                break; // keys are never cleared, so the probe sequence of this key ends here
            }

            if (first != key)
            {
                continue;
            }

            var found = new MacTableEntry(Volatile.Read(ref entries[slot]));
            if (Volatile.Read(ref keys[slot]) == key && found.IsValid && !IsExpired(found, nowSecond, agingSeconds))
            {
                entry = found;
                return true;
            }

            break;
        }

        entry = default;
        return false;
    }

    /// <summary>Learns or refreshes a MAC; writes only when the place changes or the second does.</summary>
    public MacLearnResult Learn(ushort domain, ulong mac, MacTableEntry entry, uint agingSeconds)
    {
        ulong key = Key(domain, mac);
        uint now = entry.SeenSecond;
        int home = Home(key);
        int reclaimable = -1;
        for (int i = 0; i < ProbeWindow; i++)
        {
            int slot = (home + i) & mask;
            ulong current = Volatile.Read(ref keys[slot]);
            if (current == key)
            {
                return Update(slot, entry, now, agingSeconds);
            }

            if (current == 0)
            {
                if (Interlocked.CompareExchange(ref keys[slot], key, 0) == 0)
                {
                    Volatile.Write(ref entries[slot], entry.Packed);
                    return MacLearnResult.Learned;
                }

                if (Volatile.Read(ref keys[slot]) == key)
                {
                    return Update(slot, entry, now, agingSeconds); // another worker learned the same MAC just now
                }

                continue;
            }

            if (reclaimable < 0)
            {
                var old = new MacTableEntry(Volatile.Read(ref entries[slot]));
                if (old.IsValid && IsExpired(old, now, agingSeconds))
                {
                    reclaimable = slot;
                }
            }
        }

        return reclaimable < 0 ? MacLearnResult.TableFull : Reclaim(reclaimable, key, entry, now, agingSeconds);
    }

    /// <summary>Every valid entry (expired or not) as (domain, MAC, entry): a scan for control-plane listings, never the hot path.</summary>
    public List<(ushort Domain, ulong Mac, MacTableEntry Entry)> Entries()
    {
        var found = new List<(ushort, ulong, MacTableEntry)>();
        for (int i = 0; i < keys.Length; i++)
        {
            ulong key = Volatile.Read(ref keys[i]);
            var entry = new MacTableEntry(Volatile.Read(ref entries[i]));
            if (key != 0 && entry.IsValid && Volatile.Read(ref keys[i]) == key)
            {
                found.Add(((ushort)((key >> 48) - 1), key & 0xFFFF_FFFF_FFFFUL, entry));
            }
        }

        return found;
    }

    /// <summary>Forgets every entry (control plane "clear mac"); not for use while workers learn.</summary>
    public void Clear()
    {
        Array.Clear(entries);
        Array.Clear(keys);
    }

    private MacLearnResult Update(int slot, MacTableEntry entry, uint now, uint agingSeconds)
    {
        ulong old = Volatile.Read(ref entries[slot]);
        var previous = new MacTableEntry(old);
        if (!previous.IsValid)
        {
            return MacLearnResult.Contended; // being written or reclaimed by another worker
        }

        bool moved = !previous.SamePlaceAs(entry);
        if (!moved && previous.SeenSecond == now)
        {
            return MacLearnResult.Unchanged;
        }

        if (Interlocked.CompareExchange(ref entries[slot], entry.Packed, old) != old)
        {
            return MacLearnResult.Contended;
        }

        return IsExpired(previous, now, agingSeconds) ? MacLearnResult.Learned // it had aged out: a fresh learn
            : moved ? MacLearnResult.Moved
            : MacLearnResult.Refreshed;
    }

    private MacLearnResult Reclaim(int slot, ulong key, MacTableEntry entry, uint now, uint agingSeconds)
    {
        ulong oldKey = Volatile.Read(ref keys[slot]);
        ulong old = Volatile.Read(ref entries[slot]);
        var previous = new MacTableEntry(old);
        if (!previous.IsValid || !IsExpired(previous, now, agingSeconds)
            || Interlocked.CompareExchange(ref entries[slot], 0, old) != old)
        {
            return MacLearnResult.Contended;
        }

        if (Interlocked.CompareExchange(ref keys[slot], key, oldKey) != oldKey)
        {
            return MacLearnResult.Contended;
        }

        Volatile.Write(ref entries[slot], entry.Packed);
        return MacLearnResult.Learned;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsExpired(MacTableEntry entry, uint nowSecond, uint agingSeconds) => unchecked(nowSecond - entry.SeenSecond) > agingSeconds;

    // Fibonacci hashing: the top bits of key * 2^64/phi spread consecutive MACs over the table.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Home(ulong key) => (int)((key * 0x9E37_79B9_7F4A_7C15UL) >> shift) & mask;
}
