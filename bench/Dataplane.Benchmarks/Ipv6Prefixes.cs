namespace Dataplane.Benchmarks;

/// <summary>
/// IPv6 prefixes shaped like allocations rather than uniformly random bits (which would share no trie path and
/// cost ~3.7 KiB each, several GiB at 1M): groups of 256 prefixes under one random /32 inside 2000::/4, 16 /40s per
/// /32 and 16 prefixes per /40; 90% /48, 8% /56, 2% /64 (the longer ones with random bits below /48).
/// </summary>
internal static class Ipv6Prefixes
{
    public static (UInt128 Address, int Length)[] Create(int count, Random random)
    {
        var prefixes = new (UInt128, int)[count];
        ulong top32 = 0;
        ulong within40 = 0;
        for (int i = 0; i < count; i++)
        {
            if (i % 256 == 0)
            {
                top32 = 0x2000_0000UL | (ulong)random.Next(0x1000_0000);
            }

            if (i % 16 == 0)
            {
                within40 = (ulong)random.Next(256);
            }

            ulong high = (top32 << 32) | (within40 << 24) | ((ulong)random.Next(256) << 16);
            int draw = random.Next(100);
            int length = draw < 90 ? 48 : draw < 98 ? 56 : 64;
            if (length > 48)
            {
                ulong below48 = (ulong)random.Next(1 << 16);
                high |= below48 & (0xFFFFUL << (64 - length));
            }

            prefixes[i] = (new UInt128(high, 0), length);
        }

        return prefixes;
    }

    /// <summary>A random host inside the prefix (the low 64 bits are always host bits here).</summary>
    public static UInt128 HostIn((UInt128 Address, int Length) prefix, Random random)
    {
        ulong high = (ulong)(prefix.Address >> 64);
        ulong hostHigh = prefix.Length >= 64 ? 0 : (ulong)random.NextInt64() & (ulong.MaxValue >> prefix.Length);
        return new UInt128(high | hostHigh, (ulong)random.NextInt64());
    }
}
