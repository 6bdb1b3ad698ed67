namespace Dataplane.Benchmarks;

/// <summary>
/// Which prefix each lookup of an LPM benchmark aims at: <c>random</c> draws every prefix with the same probability
/// (uniform over the covered space); <c>skewed</c> is Zipf-like, 90% of the draws go to a hot 1% of the prefixes and
/// the other 10% are uniform over all of them.
/// </summary>
internal static class LookupDestinations
{
    /// <summary>Distinct destinations per run: 64K, so the touched table entries are not all cache resident.</summary>
    public const int Count = 1 << 16;

    public static int[] PrefixIndices(string distribution, int prefixes, Random random)
    {
        int[] picks = new int[Count];
        int hot = Math.Max(1, prefixes / 100);
        for (int i = 0; i < picks.Length; i++)
        {
            picks[i] = distribution switch
            {
                "random" => random.Next(prefixes),
                "skewed" => random.Next(10) < 9 ? random.Next(hot) : random.Next(prefixes),
                _ => throw new ArgumentOutOfRangeException(nameof(distribution), distribution, "random or skewed"),
            };
        }

        return picks;
    }
}
