using System.Diagnostics;
using System.Globalization;
using Dataplane.Control.Lisp;
using Dataplane.Wire.Addresses;

namespace Dataplane.Throughput.MapServer;

/// <summary>
/// <c>bench/throughput/run mapserver</c>: the map-server at a million registrations, on one thread (the control
/// thread is one). Per run, a fresh map-server is filled with N /28 registrations in 1024 sites (one record per
/// Map-Register, HMAC-SHA-256 verified, nonce checked, site found, stored, Map-Notify signed and sent), then they are
/// all refreshed (the steady state: every ETR re-registers each minute), then refreshed without asking for a
/// Map-Notify (what the Map-Notify costs is the difference); then host EIDs in random registered prefixes are looked
/// up bare (<see cref="MappingSystem.TryFind"/>) and through the whole Encapsulated Map-Request path (ECM and
/// Map-Request parsed, longest match, Map-Reply built, signed nowhere, handed to the injection). Heap per registration
/// after a full collection, one locator each and with every other prefix multihomed (two locators). Messages are
/// built before each timed phase, in slices, so only the map-server's work is timed. Figures are medians of R runs,
/// and ratios to the goals: 100000 registrations/s, 1000000 lookups/s, 1 KiB per registration. Rates are per second
/// of the thread's CPU time (per core, whatever else the machine runs); the collector runs on this thread
/// (workstation, non-concurrent), so its work is in them.
/// </summary>
public static class MapServerBench
{
    private const int Slice = 20_000;
    private const double RegistrationGoal = 100_000, LookupGoal = 1_000_000, BytesGoal = 1024;

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        int registrations = 1_000_000, runs = 5, lookups = 2_000_000;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--registrations" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out registrations) && registrations is >= 1000 and <= MapServerLoad.MaxPrefixes:
                case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out runs) && runs is >= 1 and <= 100:
                case "--lookups" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out lookups) && lookups is >= 1000 and <= 100_000_000:
                    i++;
                    break;
                case "--help":
                    output.WriteLine($"usage: bench/throughput/run mapserver [--registrations N (1000000, at most {MapServerLoad.MaxPrefixes})] [--runs R (5)] [--lookups L (2000000)]");
                    return 0;
                default:
                    error.WriteLine($"mapserver: unknown or bad argument '{args[i]}'; --help lists them");
                    return 2;
            }
        }

        output.WriteLine($"mapserver: {registrations} registrations (/28 in 10.0.0.0/8, {MapServerLoad.SiteCount} sites), one thread, {runs} runs, {lookups} lookups per run; rates per CPU-second of the thread; {Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}");
        var figures = new Dictionary<string, List<double>>();
        void Add(string name, double value) => (figures.TryGetValue(name, out var list) ? list : figures[name] = []).Add(value);

        for (int run = 0; run < runs; run++)
        {
            foreach (var (name, value) in OneRun(registrations, lookups))
            {
                Add(name, value);
            }

            output.WriteLine($"run {run + 1}: " + string.Join(", ", figures.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Key} {f.Value[^1]:F0}"))));
        }

        output.WriteLine();
        output.WriteLine("| figure | median | runs | goal | ratio to goal |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (var (name, values) in figures)
        {
            double median = Median(values);
            (double goal, bool higherIsBetter) = name switch
            {
                _ when name.StartsWith("registrations/s", StringComparison.Ordinal) => (RegistrationGoal, true),
                _ when name.StartsWith("lookups/s", StringComparison.Ordinal) => (LookupGoal, true),
                _ when name.StartsWith("bytes/registration", StringComparison.Ordinal) => (BytesGoal, false),
                _ => (double.NaN, true),
            };
            string ratio = double.IsNaN(goal) ? "" : (higherIsBetter ? median / goal : goal / median).ToString("F2", CultureInfo.InvariantCulture) + (higherIsBetter ? " (x goal)" : " (goal / figure)");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {median:F0} | {string.Join(", ", values.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))} | {(double.IsNaN(goal) ? "" : goal.ToString("F0", CultureInfo.InvariantCulture))} | {ratio} |"));
        }

        return 0;
    }

    private static IEnumerable<(string Name, double Value)> OneRun(int registrations, int lookups)
    {
        // Memory first, on a map-server of its own: one locator each, then every other prefix with two.
        yield return ("bytes/registration (1 locator)", BytesPerRegistration(registrations, mixed: false));
        yield return ("bytes/registration (half with 2 locators)", BytesPerRegistration(registrations, mixed: true));

        var load = new MapServerLoad(proxyReply: true);
        yield return ("registrations/s (new, with Map-Notify)", Fill(load, registrations, wantMapNotify: true, twoLocatorsForOdd: false));
        load.Advance(60_000);
        yield return ("registrations/s (refresh, with Map-Notify)", Fill(load, registrations, wantMapNotify: true, twoLocatorsForOdd: false));
        load.Advance(60_000);
        yield return ("registrations/s (refresh, no Map-Notify)", Fill(load, registrations, wantMapNotify: false, twoLocatorsForOdd: false));
        if (load.Context.Counters[LispControlEvent.RegistrationAccepted] != 3L * registrations)
        {
            throw new InvalidOperationException($"accepted {load.Context.Counters[LispControlEvent.RegistrationAccepted]} of {3L * registrations}: {string.Join(", ", load.Context.Counters.Snapshot().Where(c => c.Count > 0))}");
        }

        // Lookups: host EIDs in random registered prefixes, as ITRs ask for them.
        var random = new Random(42);
        var hosts = new EidPrefix[Math.Min(lookups, 1 << 20)];
        for (int i = 0; i < hosts.Length; i++)
        {
            int n = random.Next(registrations);
            hosts[i] = EidPrefix.Host(0, new IpAddress(new Ipv4Address(0x0A00_0000u + ((uint)n << 4) + (uint)random.Next(16))));
        }

        var timer = CpuTimer.Start();
        int found = 0;
        for (int i = 0; i < lookups; i++)
        {
            found += load.Server.TryFind(hosts[i % hosts.Length], out _) ? 1 : 0;
        }

        double bare = lookups / timer.Seconds();
        if (found != lookups)
        {
            throw new InvalidOperationException($"{lookups - found} lookups found nothing");
        }

        yield return ("lookups/s (bare longest match)", bare);

        // The whole path, with fewer messages (each is a few hundred bytes): ECM parse, Map-Request parse, lookup, Map-Reply built and sent.
        int requests = Math.Min(lookups, 200_000);
        var messages = new byte[requests][];
        for (int i = 0; i < requests; i++)
        {
            messages[i] = MapServerLoad.EncapsulatedRequest(random.Next(registrations), random.Next(16), (ulong)i + 1);
        }

        long sentBefore = load.Sent;
        timer = CpuTimer.Start();
        for (int i = 0; i < requests; i++)
        {
            load.Resolve(messages[i]);
        }

        double whole = requests / timer.Seconds();
        if (load.Sent - sentBefore != requests || load.Context.Counters[LispControlEvent.MapReplySent] != requests)
        {
            throw new InvalidOperationException($"{load.Sent - sentBefore} answers sent for {requests} Map-Requests");
        }

        yield return ("lookups/s (ECM Map-Request to Map-Reply)", whole);
        GC.KeepAlive(load);
    }

    /// <summary>The heap a map-server of <paramref name="registrations"/> takes, per registration, after full collections.</summary>
    private static double BytesPerRegistration(int registrations, bool mixed)
    {
        long before = Heap();
        var sized = new MapServerLoad(proxyReply: true);
        Fill(sized, registrations, wantMapNotify: false, twoLocatorsForOdd: mixed);
        if (sized.Server.Registrations.Count != registrations)
        {
            throw new InvalidOperationException($"{sized.Server.Registrations.Count} of {registrations} registered");
        }

        long after = Heap();
        GC.KeepAlive(sized);
        return (after - before) / (double)registrations;
    }

    /// <summary>Registers prefixes 0..count-1, one record per Map-Register; returns registrations per second of map-server time.</summary>
    private static double Fill(MapServerLoad load, int count, bool wantMapNotify, bool twoLocatorsForOdd)
    {
        var messages = new byte[Slice][];
        double seconds = 0;
        for (int first = 0; first < count; first += Slice)
        {
            int slice = Math.Min(Slice, count - first);
            for (int i = 0; i < slice; i++)
            {
                messages[i] = load.Register(first + i, 1, wantMapNotify, twoLocatorsForOdd);
            }

            var timer = CpuTimer.Start();
            for (int i = 0; i < slice; i++)
            {
                load.Deliver(messages[i]);
            }

            seconds += timer.Seconds();
        }

        return count / seconds;
    }

    /// <summary>
    /// CPU time of this thread (the machine may be shared: a per-core rate is work per CPU-second, not per wall
    /// second); wall time where the thread clock cannot be read.
    /// </summary>
    private readonly struct CpuTimer(double cpuStart, long wallStart)
    {
        public static CpuTimer Start() => new(ThreadCpuClock.Seconds(), Stopwatch.GetTimestamp());

        public double Seconds() => cpuStart > 0 ? ThreadCpuClock.Seconds() - cpuStart : Stopwatch.GetElapsedTime(wallStart).TotalSeconds;
    }

    private static long Heap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
