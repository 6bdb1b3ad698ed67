using System.Numerics;
using System.Runtime.CompilerServices;
using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Lisp.MapServer;

/// <summary>
/// EID prefixes of every instance and family with a value each, found by exact prefix or by longest match: the
/// map-server's registrations and its site prefixes. Built for the control thread, where updates are as frequent as
/// lookups and a million entries must stay small: one hash table over (instance, family, length, address) plus, per
/// (instance, family), the set of prefix lengths present. A longest match probes the table once per length present
/// at or below the asked length, longest first, so it costs a handful of probes however many prefixes there are
/// (a map-server's EIDs come in few lengths). A trie would cost a node per bit of every prefix; a DIR-24-8 table
/// per instance tens of megabytes before the first entry. Not thread-safe: one thread reads and writes.
/// </summary>
public sealed class PrefixIndex<T>
{
    private readonly Dictionary<PrefixKey, T> entries;
    private readonly Dictionary<uint, LengthSet> lengthsByScope = [];

    public PrefixIndex(int capacity = 0)
    {
        entries = new Dictionary<PrefixKey, T>(capacity, PrefixKeyComparer.Instance);
    }

    public int Count => entries.Count;

    /// <summary>Adds or replaces the value of <paramref name="prefix"/>; true when the prefix is new.</summary>
    public bool Set(EidPrefix prefix, T value)
    {
        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(entries, PrefixKey.Of(prefix), out bool exists);
        slot = value;
        if (!exists)
        {
            uint scope = PrefixKey.Scope(prefix);
            if (!lengthsByScope.TryGetValue(scope, out var lengths))
            {
                lengths = new LengthSet();
                lengthsByScope.Add(scope, lengths);
            }

            lengths.Add(prefix.PrefixLength);
        }

        return !exists;
    }

    /// <summary>Adds <paramref name="prefix"/> only when absent (the first value given for a prefix stays).</summary>
    public bool TryAdd(EidPrefix prefix, T value) => !entries.ContainsKey(PrefixKey.Of(prefix)) && Set(prefix, value);

    public bool Remove(EidPrefix prefix)
    {
        if (!entries.Remove(PrefixKey.Of(prefix)))
        {
            return false;
        }

        uint scope = PrefixKey.Scope(prefix);
        var lengths = lengthsByScope[scope];
        if (lengths.Remove(prefix.PrefixLength))
        {
            lengthsByScope.Remove(scope);
        }

        return true;
    }

    public bool TryGetExact(EidPrefix prefix, out T value) => entries.TryGetValue(PrefixKey.Of(prefix), out value!);

    /// <summary>
    /// The most specific prefix covering <paramref name="prefix"/> (the prefix itself, or a shorter one of the same
    /// instance and family containing it): the answer to a Map-Request for an EID or an EID prefix.
    /// </summary>
    public bool TryGetLongest(EidPrefix prefix, out EidPrefix match, out T value)
    {
        if (lengthsByScope.TryGetValue(PrefixKey.Scope(prefix), out var lengths))
        {
            var key = PrefixKey.Of(prefix);
            int at = prefix.PrefixLength;
            while ((at = lengths.LongestAtMost(at)) >= 0)
            {
                if (entries.TryGetValue(key.Truncated(at, prefix.Family), out value!))
                {
                    match = EidPrefix.Create(prefix.InstanceId, prefix.Address, at);
                    return true;
                }

                at--;
            }
        }

        match = default;
        value = default!;
        return false;
    }

    /// <summary>Whether any prefix covers <paramref name="prefix"/>.</summary>
    public bool Covers(EidPrefix prefix) => TryGetLongest(prefix, out _, out _);

    /// <summary>Every entry, in no particular order.</summary>
    public IEnumerable<(EidPrefix Prefix, T Value)> Entries()
    {
        foreach (var (key, value) in entries)
        {
            yield return (key.ToPrefix(), value);
        }
    }

    public IEnumerable<T> Values => entries.Values;

    /// <summary>The prefix lengths present in one (instance, family), with a count each: 0..128.</summary>
    private sealed class LengthSet
    {
        private readonly int[] counts = new int[129];
        private ulong low;   // lengths 0..63
        private ulong high;  // lengths 64..127
        private bool full;   // length 128
        private int total;

        public void Add(int length)
        {
            if (counts[length]++ == 0)
            {
                SetBit(length, true);
            }

            total++;
        }

        /// <summary>Removes one prefix of <paramref name="length"/>; true when the set is empty afterwards.</summary>
        public bool Remove(int length)
        {
            if (--counts[length] == 0)
            {
                SetBit(length, false);
            }

            return --total == 0;
        }

        /// <summary>The longest length present that is at most <paramref name="length"/>, or -1.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int LongestAtMost(int length)
        {
            if (length >= 128 && full)
            {
                return 128;
            }

            if (length >= 64)
            {
                ulong bits = length >= 127 ? high : high & ((1UL << (length - 63)) - 1);
                if (bits != 0)
                {
                    return 64 + 63 - BitOperations.LeadingZeroCount(bits);
                }

                length = 63;
            }

            if (length < 0)
            {
                return -1;
            }

            ulong lowBits = length >= 63 ? low : low & ((1UL << (length + 1)) - 1);
            return lowBits == 0 ? -1 : 63 - BitOperations.LeadingZeroCount(lowBits);
        }

        private void SetBit(int length, bool on)
        {
            if (length == 128)
            {
                full = on;
            }
            else if (length >= 64)
            {
                high = on ? high | (1UL << (length - 64)) : high & ~(1UL << (length - 64));
            }
            else
            {
                low = on ? low | (1UL << length) : low & ~(1UL << length);
            }
        }
    }
}

/// <summary>
/// A prefix as a compact hash key: 24 bytes (the address as two 64-bit halves, instance and family in one word, the
/// length) where <see cref="EidPrefix"/> takes 48, which counts at a million entries.
/// </summary>
internal readonly struct PrefixKey : IEquatable<PrefixKey>
{
    private readonly ulong high;
    private readonly ulong low;
    private readonly uint scope; // instance ID (24 bits) and family (top byte)
    private readonly byte length;

    public PrefixKey(ulong high, ulong low, uint scope, byte length)
    {
        this.high = high;
        this.low = low;
        this.scope = scope;
        this.length = length;
    }

    public static uint Scope(EidPrefix prefix) => prefix.InstanceId | ((uint)prefix.Family << 24);

    public static PrefixKey Of(EidPrefix prefix)
    {
        var value = prefix.Address.Value;
        return new PrefixKey((ulong)(value >> 64), (ulong)value, Scope(prefix), prefix.PrefixLength);
    }

    /// <summary>This key's address cut to its first <paramref name="length"/> bits (this key's length or less).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public PrefixKey Truncated(int length, IpFamily family)
    {
        if (family == IpFamily.V4)
        {
            ulong mask = length == 0 ? 0 : ~0UL << (32 - length) & 0xFFFF_FFFFUL;
            return new PrefixKey(0, low & mask, scope, (byte)length);
        }

        if (length <= 64)
        {
            ulong mask = length == 0 ? 0 : ~0UL << (64 - length);
            return new PrefixKey(high & mask, 0, scope, (byte)length);
        }

        return new PrefixKey(high, low & (~0UL << (128 - length)), scope, (byte)length);
    }

    public EidPrefix ToPrefix()
    {
        var value = ((UInt128)high << 64) | low;
        var family = (IpFamily)(scope >> 24);
        var address = family == IpFamily.V4 ? new IpAddress(new Ipv4Address((uint)low)) : new IpAddress(new Ipv6Address(value));
        return EidPrefix.Create(scope & EidPrefix.MaxInstanceId, address, length);
    }

    public bool Equals(PrefixKey other) => low == other.low && high == other.high && scope == other.scope && length == other.length;

    public override bool Equals(object? obj) => obj is PrefixKey other && Equals(other);

    public override int GetHashCode()
    {
        // Multiply-xorshift over the words: prefixes of one site differ in a few middle bits of the address, so the
        // mix must spread every bit into the low ones the table's buckets use.
        ulong h = (low * 0x9E37_79B9_7F4A_7C15UL) ^ (high * 0xC2B2_AE3D_27D4_EB4FUL) ^ (((ulong)scope << 8 | length) * 0x1656_67B1_9E37_79F9UL);
        h ^= h >> 29;
        h *= 0xBF58_476D_1CE4_E5B9UL;
        return (int)(h ^ (h >> 32));
    }
}

internal sealed class PrefixKeyComparer : IEqualityComparer<PrefixKey>
{
    public static readonly PrefixKeyComparer Instance = new();

    public bool Equals(PrefixKey x, PrefixKey y) => x.Equals(y);

    public int GetHashCode(PrefixKey key) => key.GetHashCode();
}
