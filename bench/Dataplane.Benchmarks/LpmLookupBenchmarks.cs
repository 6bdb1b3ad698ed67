using BenchmarkDotNet.Attributes;
using Dataplane.Tables.Lpm;
using Dataplane.Wire.Addresses;

namespace Dataplane.Benchmarks;

/// <summary>
/// IPv4 DIR-24-8 (<see cref="Ipv4LpmTable"/>) lookups; the figure is per lookup. Tables of 1K, 100K and 1M
/// Internet-shaped prefixes at random addresses (55% /24, 40% /13../23, 5% /25../32, so some lookups take the
/// second level); 64K destinations, each a random host inside a drawn prefix (<see cref="LookupDestinations"/>:
/// <c>random</c> uniform over the prefixes, <c>skewed</c> 90% on a hot 1%). <c>SingleLookups</c> calls
/// <see cref="Ipv4LpmTable.TryLookup"/> per destination, <c>BatchLookups</c> calls
/// <see cref="Ipv4LpmTable.LookupBatch"/> over 256-destination batches (a worker's batch). Target: 50M lookups/s
/// (20 ns) at 1M prefixes. Setup throws unless every destination is found, so no figure is a miss path.
/// </summary>
[MemoryDiagnoser]
public class LpmLookupBenchmarks
{
    private const int Lookups = LookupDestinations.Count;
    private const int Batch = 256;
    private readonly uint[] _destinations = new uint[Lookups];
    private readonly uint[] _values = new uint[Lookups];
    private Ipv4LpmTable _table = null!;

    [Params(1_000, 100_000, 1_000_000)]
    public int Prefixes { get; set; }

    [Params("random", "skewed")]
    public string Destinations { get; set; } = "random";

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(24);
        _table = new Ipv4LpmTable();
        var prefixes = Ipv4Prefixes.Create(Prefixes, random);
        for (int i = 0; i < prefixes.Length; i++)
        {
            _table.AddOrReplace(new Ipv4Address(prefixes[i].Address), prefixes[i].Length, (uint)(i & 0xFFFFFF));
        }

        int[] picks = LookupDestinations.PrefixIndices(Destinations, Prefixes, random);
        for (int i = 0; i < Lookups; i++)
        {
            _destinations[i] = Ipv4Prefixes.HostIn(prefixes[picks[i]], random);
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
        foreach (uint destination in _destinations)
        {
            found += _table.TryLookup(new Ipv4Address(destination), out _) ? 1 : 0;
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
}
