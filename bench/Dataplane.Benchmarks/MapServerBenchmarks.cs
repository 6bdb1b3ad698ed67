using BenchmarkDotNet.Attributes;
using Dataplane.Control.Lisp;
using Dataplane.Throughput.MapServer;
using Dataplane.Wire.Addresses;

namespace Dataplane.Benchmarks;

/// <summary>
/// The map-server holding a million registrations (/28 prefixes in 1024 sites, <see cref="MapServerLoad"/>), per
/// operation: a Map-Register refreshing one registration (parse, site by longest match, HMAC-SHA-256 verified, nonce
/// remembered, stored and moved in the expiry schedule), with and without the signed Map-Notify; the bare longest
/// match of a host EID; and an Encapsulated Map-Request answered by a Map-Reply (parse of both headers, lookup, reply
/// built and handed to the injection). Map-Registers carry fresh nonces: each iteration gets a new batch of
/// <see cref="Batch"/> built before it (a replayed nonce would be refused, a cheaper path). The command that prints
/// the same figures as medians of several runs is <c>bench/throughput/run mapserver</c>.
/// </summary>
[MemoryDiagnoser]
public class MapServerBenchmarks
{
    private const int Registrations = 1_000_000;
    private const int Batch = 20_000;
    private const int LookupsPerInvoke = 1024;
    private MapServerLoad _load = null!;
    private byte[][] _registers = [];
    private byte[][] _requests = [];
    private EidPrefix[] _hosts = [];
    private int _next;
    private int _lookup;

    [GlobalSetup]
    public void Setup()
    {
        _load = new MapServerLoad(proxyReply: true);
        for (int first = 0; first < Registrations; first++)
        {
            _load.Deliver(_load.Register(first, 1, wantMapNotify: false, twoLocatorsForOdd: false));
        }

        if (_load.Server.Registrations.Count != Registrations)
        {
            throw new InvalidOperationException($"{_load.Server.Registrations.Count} of {Registrations} registered");
        }

        var random = new Random(42);
        _hosts = [.. Enumerable.Range(0, 1 << 16).Select(_ => EidPrefix.Host(0, new IpAddress(new Ipv4Address(0x0A00_0000u + ((uint)random.Next(Registrations) << 4) + (uint)random.Next(16)))))];
        _requests = [.. Enumerable.Range(0, 1 << 14).Select(i => MapServerLoad.EncapsulatedRequest(random.Next(Registrations), random.Next(16), (ulong)i + 1))];
    }

    [IterationSetup(Targets = [nameof(RegisterRefreshWithMapNotify)])]
    public void RegistersWithMapNotify() => BuildRegisters(wantMapNotify: true);

    [IterationSetup(Targets = [nameof(RegisterRefresh)])]
    public void RegistersWithoutMapNotify() => BuildRegisters(wantMapNotify: false);

    private void BuildRegisters(bool wantMapNotify)
    {
        _registers = new byte[Batch][];
        for (int i = 0; i < Batch; i++)
        {
            _registers[i] = _load.Register(_next, 1, wantMapNotify, twoLocatorsForOdd: false);
            _next = (_next + 1) % Registrations;
        }

        _load.Advance(10);
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    [InvocationCount(1)]
    public long RegisterRefreshWithMapNotify()
    {
        foreach (var register in _registers)
        {
            _load.Deliver(register);
        }

        return _load.Sent;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    [InvocationCount(1)]
    public long RegisterRefresh()
    {
        foreach (var register in _registers)
        {
            _load.Deliver(register);
        }

        return _load.Context.Counters[LispControlEvent.RegistrationAccepted];
    }

    [Benchmark(OperationsPerInvoke = LookupsPerInvoke)]
    public int LookupHost()
    {
        int found = 0;
        for (int i = 0; i < LookupsPerInvoke; i++)
        {
            found += _load.Server.TryFind(_hosts[(_lookup++) & 0xFFFF], out _) ? 1 : 0;
        }

        return found;
    }

    [Benchmark]
    public bool EncapsulatedMapRequestToMapReply() => _load.Resolve(_requests[(_lookup++) & 0x3FFF]);
}
