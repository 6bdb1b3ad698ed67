using BenchmarkDotNet.Attributes;
using Dataplane.Tables.Lpm;
using Dataplane.Wire.Addresses;

namespace Dataplane.Benchmarks;

/// <summary>
/// IPv6 multibit-trie (<see cref="Ipv6LpmTable"/>) lookups; every time is per lookup (<c>OperationsPerInvoke</c>) and
/// the "M lookups/s" column is 1000 / median. Tables of 1K and 1M prefixes (<see cref="Ipv6Prefixes"/>):
/// <c>allocations</c>, the dense regular set (/48 mostly, some /56 and /64), and <c>internet</c>, one shaped like a
/// BGP table or a large map-cache (/28 to /64, aggregates with more-specifics under them). The table widens its first
/// level to 24 bits on its own at 1M (not at 1K), as it would in the data path. 64K destinations, each a random host
/// inside a drawn prefix (<c>random</c> uniform over the prefixes, <c>skewed</c> 90% on a hot 1%).
/// <c>SingleLookups</c> calls <see cref="Ipv6LpmTable.TryLookup"/> per destination, <c>BatchLookups</c>
/// <see cref="Ipv6LpmTable.LookupBatch"/> (one walk after the other) over 256-destination batches,
/// <c>InterleavedBatchLookups</c> <see cref="Ipv6LpmTable.LookupBatchInterleaved"/> (what the data path's map-cache
/// batch lookup calls) over the same batches. Target: 50M lookups/s (20 ns) at 1M prefixes, the IPv4 target. Setup
/// throws unless every destination is found.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(LookupsPerSecondColumn.Config))]
public class Ipv6LpmLookupBenchmarks
{
    private const int Lookups = LookupDestinations.Count;
    private const int Batch = 256;
    private readonly UInt128[] _destinations = new UInt128[Lookups];
    private readonly uint[] _values = new uint[Lookups];
    private Ipv6LpmTable _table = null!;

    [Params(1_000, 1_000_000)]
    public int Prefixes { get; set; }

    [Params("allocations", "internet")]
    public string Shape { get; set; } = "allocations";

    [Params("random", "skewed")]
    public string Destinations { get; set; } = "random";

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(26);
        _table = new Ipv6LpmTable();
        var prefixes = Ipv6Prefixes.Create(Prefixes, random, Shape);
        for (int i = 0; i < prefixes.Length; i++)
        {
            _table.AddOrReplace(new Ipv6Address(prefixes[i].Address), prefixes[i].Length, (uint)(i & 0xFFFFFF));
        }

        // What the table costs, in the log next to the figures (the arrays include the first level and the pool's unused
        // tail, allocated but written only as nodes are taken).
        Console.WriteLine(
            $"// ipv6-lpm memory: {_table.Count} prefixes, first level {_table.FirstLevelBits} bits, {_table.NodesInUse} nodes = " +
            $"{(double)_table.NodeBytesInUse / _table.Count:F0} B per prefix; lookup arrays {_table.LookupBytes / 1048576.0:F0} MiB");

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
