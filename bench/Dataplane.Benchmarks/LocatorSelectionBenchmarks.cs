using BenchmarkDotNet.Attributes;
using Dataplane.Forwarding.Hashing;
using Dataplane.Tables.MapCache;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;

namespace Dataplane.Benchmarks;

/// <summary>
/// The ITR's locator choice for a map-cache entry of 1, 2, 4 or 8 locators (<see cref="LocatorSelector"/>, built
/// once per entry): per choice, over 4096 different flow hashes. Locators have mixed priorities (1 and 2) and
/// weights (10..80), and with two or more one best-priority locator is down, so the weighted 64-slot table is
/// the one of the remaining usable best-priority set (with one locator it is up: a down single locator leaves
/// nothing to choose, the drop path). <c>Select</c> is the index choice alone; <c>TrySelectRloc</c> also reads
/// the RLOC address out of the entry (what the encapsulation stage does). Compare with the ITR's per-packet
/// budget: ~67 ns per 64-byte packet at 14.88 Mpps line rate. Setup throws if a hash picks no locator or a down one.
/// </summary>
[MemoryDiagnoser]
public class LocatorSelectionBenchmarks
{
    private const int Flows = 4096;
    private readonly uint[] _hashes = new uint[Flows];
    private MapCacheEntry _entry = null!;

    [Params(1, 2, 4, 8)]
    public int Locators { get; set; } = 4;

    [GlobalSetup]
    public void Setup()
    {
        var locators = new Locator[Locators];
        for (int i = 0; i < locators.Length; i++)
        {
            // Priorities 1,1,2,1,1,2,...; weights 10,20,...,80; the first locator (priority 1) down when there are two or more.
            byte priority = (byte)(i % 3 == 2 ? 2 : 1);
            locators[i] = new Locator(new Ipv4Address(0xC633_6401u + (uint)i), priority, (byte)(10 * (i + 1)), IsUp: Locators == 1 || i != 0);
        }

        _entry = MapCacheEntry.Create(EidPrefix.Create(7, new Ipv4Address(0x0B00_0000), 24), locators, MapCacheEntry.InfiniteTtl, new ManualClock());
        var random = new Random(5);
        for (int i = 0; i < Flows; i++)
        {
            _hashes[i] = FlowHash.Hash(new Ipv4Address(0x0A01_0000u + (uint)random.Next(65536)), new Ipv4Address(0x0B00_0001), 17, (ushort)random.Next(1024, 65536), 443);
        }

        for (int i = 0; i < Flows; i++)
        {
            int chosen = _entry.Selector.Select(_hashes[i]);
            if (chosen < 0 || !_entry.Locators[chosen].IsUsable)
            {
                throw new InvalidOperationException($"flow hash {_hashes[i]:x8} chose locator {chosen}: the benchmark would measure a drop path");
            }
        }
    }

    [Benchmark(OperationsPerInvoke = Flows)]
    public int Select()
    {
        var selector = _entry.Selector;
        int sum = 0;
        foreach (uint hash in _hashes)
        {
            sum += selector.Select(hash);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Flows)]
    public int TrySelectRloc()
    {
        var entry = _entry;
        int found = 0;
        foreach (uint hash in _hashes)
        {
            found += entry.TrySelectRloc(hash, out _) ? 1 : 0;
        }

        return found;
    }
}
