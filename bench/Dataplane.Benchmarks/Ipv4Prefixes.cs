namespace Dataplane.Benchmarks;

/// <summary>
/// Internet-shaped IPv4 prefixes at random addresses: 55% /24, 40% /13../23, 5% /25../32 (so some lookups take the
/// DIR-24-8 second level, as ~3% of a real table does).
/// </summary>
internal static class Ipv4Prefixes
{
    public static (uint Address, int Length)[] Create(int count, Random random)
    {
        var prefixes = new (uint, int)[count];
        for (int i = 0; i < prefixes.Length; i++)
        {
            int draw = random.Next(100);
            int length = draw < 55 ? 24 : draw < 95 ? random.Next(13, 24) : random.Next(25, 33);
            uint mask = uint.MaxValue << (32 - length);
            prefixes[i] = ((uint)random.NextInt64(0, 1L << 32) & mask, length);
        }

        return prefixes;
    }

    /// <summary>A random host inside the prefix.</summary>
    public static uint HostIn((uint Address, int Length) prefix, Random random) =>
        prefix.Address | (prefix.Length == 32 ? 0 : (uint)random.NextInt64(0, 1L << (32 - prefix.Length)));
}
