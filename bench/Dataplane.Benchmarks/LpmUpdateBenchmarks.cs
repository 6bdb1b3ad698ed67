using BenchmarkDotNet.Attributes;
using Dataplane.Tables.Lpm;
using Dataplane.Wire.Addresses;

namespace Dataplane.Benchmarks;

/// <summary>
/// LPM writes while a reader looks up: the operation is one <c>AddOrReplace</c> or one <c>Remove</c> (each
/// invocation adds then removes 1024 distinct prefixes), so the figure is per update, into a table that already
/// holds 1M prefixes (<see cref="Ipv4Prefixes"/> / <see cref="Ipv6Prefixes"/>). A background reader thread
/// (started in GlobalSetup, pinned to the last CPU while this thread is pinned to CPU 0, stopped in GlobalCleanup)
/// does lookups over 64K destinations inside the table the whole time; its lookups/s over the run is printed in
/// cleanup (a "// lpm-reader" line in the BenchmarkDotNet log). <c>short</c> updates /24s (IPv4, first-level
/// entries only) or /48s (IPv6); <c>host</c> updates /32s or /128s in a /24 or /120 that keeps a longer-lived
/// anchor route (/28 or /124), so the second-level group or trie node already exists and is never retired (a
/// retired one is only reused after a quiescent reclaim, which a running reader forbids). Target: 1M updates/s
/// (1000 ns per update). Setup checks an update is visible to a lookup and its removal too.
/// </summary>
[MemoryDiagnoser]
public class LpmUpdateBenchmarks
{
    private const int Updates = 1024;
    private const int TablePrefixes = 1_000_000;
    private readonly uint[] _v4Updates = new uint[Updates];
    private readonly UInt128[] _v6Updates = new UInt128[Updates];
    private Ipv4LpmTable _v4 = null!;
    private Ipv6LpmTable _v6 = null!;
    private int _length;
    private BackgroundReader _reader = null!;

    [Params("v4", "v6")]
    public string Family { get; set; } = "v4";

    [Params("short", "host")]
    public string Update { get; set; } = "short";

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(77);
        bool host = Update == "host";
        if (Family == "v4")
        {
            _v4 = new Ipv4LpmTable();
            var prefixes = Ipv4Prefixes.Create(TablePrefixes, random);
            for (int i = 0; i < prefixes.Length; i++)
            {
                _v4.AddOrReplace(new Ipv4Address(prefixes[i].Address), prefixes[i].Length, (uint)(i & 0xFFFFFF));
            }

            // 100.64.0.0/10 (shared address space): /24s 100.64.0.0 .. 100.67.255.0, or hosts .1 in 1024 anchored /24s.
            _length = host ? 32 : 24;
            for (int k = 0; k < Updates; k++)
            {
                uint network = 0x6440_0000u + ((uint)k << 8);
                _v4Updates[k] = host ? network | 1 : network;
                if (host)
                {
                    _v4.AddOrReplace(new Ipv4Address(network | 0xF0), 28, 1);
                }
            }

            uint[] destinations = new uint[LookupDestinations.Count];
            int[] picks = LookupDestinations.PrefixIndices("random", prefixes.Length, random);
            for (int i = 0; i < destinations.Length; i++)
            {
                destinations[i] = Ipv4Prefixes.HostIn(prefixes[picks[i]], random);
            }

            CheckVisible(() => _v4.TryLookup(new Ipv4Address(_v4Updates[0]), out uint v) && v == 0xABCDE);
            var values = new uint[256];
            _reader = new BackgroundReader("lpm-reader", destinations.Length, _ => ReadAllV4(_v4, destinations, values));
        }
        else
        {
            _v6 = new Ipv6LpmTable();
            var prefixes = Ipv6Prefixes.Create(TablePrefixes, random);
            for (int i = 0; i < prefixes.Length; i++)
            {
                _v6.AddOrReplace(new Ipv6Address(prefixes[i].Address), prefixes[i].Length, (uint)(i & 0xFFFFFF));
            }

            // 2001:db8::/32 (documentation, outside 2000::/4 draws only by chance): /48s 2001:db8:0..3xx::/48 in
            // 4 /40s anchored by a /44, or hosts 2001:db8:ffff::X in 4 /120s anchored by a /124.
            _length = host ? 128 : 48;
            for (int k = 0; k < Updates; k++)
            {
                _v6Updates[k] = host
                    ? new UInt128(0x2001_0db8_ffff_0000UL, (ulong)k)
                    : new UInt128(0x2001_0db8_0000_0000UL | ((ulong)k << 16), 0);
            }

            for (int anchor = 0; anchor < Updates / 256; anchor++)
            {
                if (host)
                {
                    _v6.AddOrReplace(new Ipv6Address(new UInt128(0x2001_0db8_ffff_0000UL, ((ulong)anchor << 8) | 0xF0)), 124, 1);
                }
                else
                {
                    _v6.AddOrReplace(new Ipv6Address(new UInt128(0x2001_0db8_0000_0000UL | ((ulong)anchor << 24) | 0xF0_0000UL, 0)), 44, 1);
                }
            }

            UInt128[] destinations = new UInt128[LookupDestinations.Count];
            int[] picks = LookupDestinations.PrefixIndices("random", prefixes.Length, random);
            for (int i = 0; i < destinations.Length; i++)
            {
                destinations[i] = Ipv6Prefixes.HostIn(prefixes[picks[i]], random);
            }

            CheckVisible(() => _v6.TryLookup(new Ipv6Address(_v6Updates[0]), out uint v) && v == 0xABCDE);
            var values = new uint[256];
            _reader = new BackgroundReader("lpm-reader", destinations.Length, _ => ReadAllV6(_v6, destinations, values));
        }

        _reader.Start();
    }

    [GlobalCleanup]
    public void Cleanup() => Console.WriteLine(_reader.Stop($"{Family} {Update} updates into 1M prefixes"));

    [Benchmark(OperationsPerInvoke = 2 * Updates)]
    public void AddThenRemove()
    {
        if (_v4 is not null)
        {
            for (int k = 0; k < _v4Updates.Length; k++)
            {
                _v4.AddOrReplace(new Ipv4Address(_v4Updates[k]), _length, (uint)k);
            }

            for (int k = 0; k < _v4Updates.Length; k++)
            {
                _v4.Remove(new Ipv4Address(_v4Updates[k]), _length);
            }
        }
        else
        {
            for (int k = 0; k < _v6Updates.Length; k++)
            {
                _v6.AddOrReplace(new Ipv6Address(_v6Updates[k]), _length, (uint)k);
            }

            for (int k = 0; k < _v6Updates.Length; k++)
            {
                _v6.Remove(new Ipv6Address(_v6Updates[k]), _length);
            }
        }
    }

    private void CheckVisible(Func<bool> updateIsFound)
    {
        if (_v4 is not null)
        {
            _v4.AddOrReplace(new Ipv4Address(_v4Updates[0]), _length, 0xABCDE);
        }
        else
        {
            _v6.AddOrReplace(new Ipv6Address(_v6Updates[0]), _length, 0xABCDE);
        }

        bool added = updateIsFound();
        AddThenRemove();
        if (!added || updateIsFound())
        {
            throw new InvalidOperationException("an update was not visible to a lookup, or its removal was not: the benchmark would not measure updates");
        }

        int retiredBefore = _v4?.GroupsRetired ?? _v6.NodesRetired;
        AddThenRemove();
        if ((_v4?.GroupsRetired ?? _v6.NodesRetired) != retiredBefore)
        {
            throw new InvalidOperationException("an add/remove pair retired a group or node: the run would leak memory without a reclaim");
        }
    }

    private static long ReadAllV4(Ipv4LpmTable table, uint[] destinations, uint[] values)
    {
        long found = 0;
        for (int start = 0; start < destinations.Length; start += values.Length)
        {
            found += table.LookupBatch(destinations.AsSpan(start, values.Length), values);
        }

        return found;
    }

    private static long ReadAllV6(Ipv6LpmTable table, UInt128[] destinations, uint[] values)
    {
        long found = 0;
        for (int start = 0; start < destinations.Length; start += values.Length)
        {
            found += table.LookupBatch(destinations.AsSpan(start, values.Length), values);
        }

        return found;
    }
}
