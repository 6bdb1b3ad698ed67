using BenchmarkDotNet.Attributes;
using Dataplane.Forwarding.Hashing;
using Dataplane.Wire.Addresses;

namespace Dataplane.Benchmarks;

/// <summary>
/// <see cref="FlowHash"/> (CRC32C over the 5-tuple + fmix32, the hash the ITR, VTEP and GTP-U use for locator choice
/// and outer source port) over 4096 different IPv4 and IPv6 5-tuples; per hash, plus the outer UDP source port
/// derived from it. Setup throws if the 4096 tuples produce fewer than 4000 distinct hashes (a broken hash would
/// make every later locator benchmark measure one flow).
/// </summary>
[MemoryDiagnoser]
public class FlowHashBenchmarks
{
    private const int Flows = 4096;
    private readonly Ipv4Address[] _v4Sources = new Ipv4Address[Flows];
    private readonly Ipv4Address[] _v4Destinations = new Ipv4Address[Flows];
    private readonly Ipv6Address[] _v6Sources = new Ipv6Address[Flows];
    private readonly Ipv6Address[] _v6Destinations = new Ipv6Address[Flows];
    private readonly ushort[] _sourcePorts = new ushort[Flows];
    private readonly ushort[] _destinationPorts = new ushort[Flows];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(11);
        for (int i = 0; i < Flows; i++)
        {
            _v4Sources[i] = new Ipv4Address((uint)random.NextInt64(0, 1L << 32));
            _v4Destinations[i] = new Ipv4Address((uint)random.NextInt64(0, 1L << 32));
            _v6Sources[i] = new Ipv6Address((ulong)random.NextInt64(), (ulong)random.NextInt64());
            _v6Destinations[i] = new Ipv6Address((ulong)random.NextInt64(), (ulong)random.NextInt64());
            _sourcePorts[i] = (ushort)random.Next(1024, 65536);
            _destinationPorts[i] = (ushort)random.Next(1, 1024);
        }

        var distinct = new HashSet<uint>();
        for (int i = 0; i < Flows; i++)
        {
            distinct.Add(FlowHash.Hash(_v4Sources[i], _v4Destinations[i], 17, _sourcePorts[i], _destinationPorts[i]));
            distinct.Add(FlowHash.Hash(_v6Sources[i], _v6Destinations[i], 17, _sourcePorts[i], _destinationPorts[i]));
        }

        if (distinct.Count < 2 * Flows - 96)
        {
            throw new InvalidOperationException($"{distinct.Count} distinct hashes over {2 * Flows} tuples");
        }
    }

    [Benchmark(OperationsPerInvoke = Flows)]
    public uint Ipv4FiveTuple()
    {
        uint acc = 0;
        for (int i = 0; i < Flows; i++)
        {
            acc ^= FlowHash.Hash(_v4Sources[i], _v4Destinations[i], 17, _sourcePorts[i], _destinationPorts[i]);
        }

        return acc;
    }

    [Benchmark(OperationsPerInvoke = Flows)]
    public uint Ipv6FiveTuple()
    {
        uint acc = 0;
        for (int i = 0; i < Flows; i++)
        {
            acc ^= FlowHash.Hash(_v6Sources[i], _v6Destinations[i], 17, _sourcePorts[i], _destinationPorts[i]);
        }

        return acc;
    }

    [Benchmark(OperationsPerInvoke = Flows)]
    public int Ipv4SourcePort()
    {
        int acc = 0;
        for (int i = 0; i < Flows; i++)
        {
            acc += FlowHash.SourcePort(FlowHash.Hash(_v4Sources[i], _v4Destinations[i], 17, _sourcePorts[i], _destinationPorts[i]));
        }

        return acc;
    }
}
