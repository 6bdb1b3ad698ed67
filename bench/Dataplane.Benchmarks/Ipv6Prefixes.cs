namespace Dataplane.Benchmarks;

/// <summary>
/// IPv6 prefix sets for the LPM benchmarks, shaped like allocations rather than uniformly random bits (which would
/// share no trie path and cost several GiB at 1M).
/// <list type="bullet">
/// <item><c>allocations</c> (<see cref="Create"/>'s default): groups of 256 prefixes under one random /32 inside
/// 2000::/4, 16 /40s per /32 and 16 prefixes per /40; 90% /48, 8% /56, 2% /64 (the longer ones with random bits below
/// /48). Dense and regular: no prefix covers another, every /32 holds exactly 256, and the /32s are spread evenly over
/// 2000::/4. Kind to a trie (paths shared 256 and 16 ways); unlike a real table in having no aggregates under which
/// more-specifics sit, no short prefixes, and /32s uniform where real ones crowd into the registries' blocks.</item>
/// <item><c>internet</c>: what a BGP table or a large LISP map-cache holds, scaled up. Holders get an allocation (a
/// /32, some /29 and /28) inside the blocks the registries hand out from (2a00::/12, 2400::/12, 2600::/12, 2800::/12,
/// 2c00::/12, 2001::/16, weighted roughly as today's table); three in four announce the allocation itself, and each
/// announces 0 to 8 more-specifics inside it: /48 most often, then /44, /40, /36, /46-/47, and some /56 and /64 (site
/// and EID prefixes). About half the prefixes are /48s and about a sixth are allocations, as in today's table; many
/// more-specifics sit under a covering prefix, so removals and lookups exercise leaf pushing.</item>
/// </list>
/// </summary>
internal static class Ipv6Prefixes
{
    public static (UInt128 Address, int Length)[] Create(int count, Random random, string shape = "allocations") => shape switch
    {
        "allocations" => Allocations(count, random),
        "internet" => Internet(count, random),
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "allocations or internet"),
    };

    private static (UInt128 Address, int Length)[] Allocations(int count, Random random)
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

    private static (UInt128 Address, int Length)[] Internet(int count, Random random)
    {
        // (block, its length, weight in percent)
        (ulong Block, int Length, int Weight)[] blocks =
        [
            (0x2a00UL << 48, 12, 35), (0x2400UL << 48, 12, 25), (0x2600UL << 48, 12, 20),
            (0x2800UL << 48, 12, 12), (0x2c00UL << 48, 12, 3), (0x2001UL << 48, 16, 5),
        ];
        var seen = new HashSet<(ulong, int)>(count);
        var prefixes = new List<(UInt128, int)>(count);

        void Add(ulong high, int length)
        {
            if (prefixes.Count < count && seen.Add((high, length)))
            {
                prefixes.Add((new UInt128(high, 0), length));
            }
        }

        while (prefixes.Count < count)
        {
            int draw = random.Next(100);
            var (block, blockLength, _) = blocks[0];
            foreach (var candidate in blocks)
            {
                (block, blockLength) = (candidate.Block, candidate.Length);
                if ((draw -= candidate.Weight) < 0)
                {
                    break;
                }
            }

            int size = random.Next(100);
            int allocationLength = blockLength == 16 ? 32 : size < 70 ? 32 : size < 95 ? 29 : 28;
            ulong allocation = block | RandomBits(random, blockLength, allocationLength);
            if (random.Next(4) != 0)
            {
                Add(allocation, allocationLength);
            }

            for (int more = random.Next(9); more > 0; more--)
            {
                int kind = random.Next(100);
                int length = kind switch
                {
                    < 60 => 48,
                    < 70 => 44,
                    < 80 => 40,
                    < 85 => 36,
                    < 90 => 46 + random.Next(2),
                    < 95 => 56,
                    _ => 64,
                };
                Add(allocation | RandomBits(random, allocationLength, length), length);
            }
        }

        return [.. prefixes];
    }

    // Random bits at positions [from, to) of the high 64 bits, counted from the most significant.
    private static ulong RandomBits(Random random, int from, int to)
    {
        ulong below = to >= 64 ? 0 : ulong.MaxValue >> to;
        return (ulong)random.NextInt64() & (ulong.MaxValue >> from) & ~below;
    }

    /// <summary>A random host inside the prefix (the low 64 bits are always host bits here).</summary>
    public static UInt128 HostIn((UInt128 Address, int Length) prefix, Random random)
    {
        ulong high = (ulong)(prefix.Address >> 64);
        ulong hostHigh = prefix.Length >= 64 ? 0 : (ulong)random.NextInt64() & (ulong.MaxValue >> prefix.Length);
        return new UInt128(high | hostHigh, (ulong)random.NextInt64());
    }
}
