using BenchmarkDotNet.Attributes;
using Dataplane.Tables.Lpm;
using Dataplane.Wire.Addresses;

namespace Dataplane.Benchmarks;

/// <summary>IPv4 DIR-24-8 lookups at 1K and 1M random prefixes (/8../32), random destinations; per lookup.</summary>
[MemoryDiagnoser]
public class LpmLookupBenchmarks
{
    private const int Lookups = 4096;
    private readonly uint[] _destinations = new uint[Lookups];
    private readonly uint[] _values = new uint[Lookups];
    private Ipv4LpmTable _table = null!;

    [Params(1_000, 1_000_000)]
    public int Prefixes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(24);
        _table = new Ipv4LpmTable();
        for (int i = 0; i < Prefixes; i++)
        {
            _table.AddOrReplace(new Ipv4Address((uint)random.NextInt64(0, 1L << 32)), random.Next(8, 33), (uint)(i & 0xFFFFFF));
        }

        for (int i = 0; i < Lookups; i++)
        {
            _destinations[i] = (uint)random.NextInt64(0, 1L << 32);
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
    public int BatchLookups() => _table.LookupBatch(_destinations, _values);
}
