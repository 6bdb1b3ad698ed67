using BenchmarkDotNet.Attributes;
using Dataplane.Tables.Lpm;
using Dataplane.Wire.Addresses;

namespace Dataplane.Benchmarks;

/// <summary>
/// IPv6 multibit-trie (<see cref="Ipv6LpmTable"/>) lookups; the figure is per lookup. Tables of 1K, 100K and 1M
/// allocation-shaped prefixes (<see cref="Ipv6Prefixes"/>: /48 mostly, some /56 and /64, so a lookup walks 4 to 6
/// levels); 64K destinations, each a random host inside a drawn prefix (<c>random</c> uniform over the prefixes,
/// <c>skewed</c> 90% on a hot 1%). <c>SingleLookups</c> calls <see cref="Ipv6LpmTable.TryLookup"/> per destination,
/// <c>BatchLookups</c> <see cref="Ipv6LpmTable.LookupBatch"/> over 256-destination batches, <c>InterleavedBatchLookups</c>
/// <see cref="Ipv6LpmTable.LookupBatchInterleaved"/> over the same batches. Target: 50M lookups/s
/// (20 ns) at 1M prefixes, the IPv4 target. Setup throws unless every destination is found.
/// </summary>
[MemoryDiagnoser]
public class Ipv6LpmLookupBenchmarks
{
    private const int Lookups = LookupDestinations.Count;
    private const int Batch = 256;
    private readonly UInt128[] _destinations = new UInt128[Lookups];
    private readonly uint[] _values = new uint[Lookups];
    private Ipv6LpmTable _table = null!;

    [Params(1_000, 100_000, 1_000_000)]
    public int Prefixes { get; set; }

    [Params("random", "skewed")]
    public string Destinations { get; set; } = "random";

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(26);
        _table = new Ipv6LpmTable();
        var prefixes = Ipv6Prefixes.Create(Prefixes, random);
        for (int i = 0; i < prefixes.Length; i++)
        {
            _table.AddOrReplace(new Ipv6Address(prefixes[i].Address), prefixes[i].Length, (uint)(i & 0xFFFFFF));
        }

        int[] picks = LookupDestinations.PrefixIndices(Destinations, Prefixes, random);
        for (int i = 0; i < Lookups; i++)
        {
            _destinations[i] = Ipv6Prefixes.HostIn(prefixes[picks[i]], random);
        }

        if (SingleLookups() != Lookups || BatchLookups() != Lookups)
        {
            throw new InvalidOperationException("a destination inside an inserted prefix was not found: the figure would include misses");
        }
    }

    [Benchmark(OperationsPerInvoke = Lookups)]
    public int SingleLookups()
    {
        int found = 0;
        foreach (UInt128 destination in _destinations)
        {
            found += _table.TryLookup(new Ipv6Address(destination), out _) ? 1 : 0;
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = Lookups)]
    public int BatchLookups()
    {
        int found = 0;
        for (int start = 0; start < Lookups; start += Batch)
        {
            found += _table.LookupBatch(_destinations.AsSpan(start, Batch), _values.AsSpan(start, Batch));
        }

        return found;
    }

    /// <summary><see cref="Ipv6LpmTable.LookupBatchInterleaved"/>: the walks of a batch level by level, each level's misses overlapping.</summary>
    [Benchmark(OperationsPerInvoke = Lookups)]
    public int InterleavedBatchLookups()
    {
        int found = 0;
        for (int start = 0; start < Lookups; start += Batch)
        {
            found += _table.LookupBatchInterleaved(_destinations.AsSpan(start, Batch), _values.AsSpan(start, Batch));
        }

        return found;
    }
}
