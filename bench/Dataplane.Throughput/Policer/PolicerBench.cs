using System.Diagnostics;
using System.Globalization;
using Dataplane.Forwarding.Rules;

namespace Dataplane.Throughput.Policer;

/// <summary>
/// <c>bench/throughput/run policer</c>: how close a rule's rate limit holds when workers share it at full load. W
/// threads (default 2) offer packets to one <see cref="TrafficPolicer"/> as fast as they can, reading the clock once
/// per 256 packets as a worker reads it once per batch, for S seconds per run; the admitted rate, less the initial
/// burst, against the configured one, per run and as the median of R runs. Also what one admission costs (ns per
/// packet offered, per thread), alone and shared.
/// </summary>
public static class PolicerBench
{
    private const int Batch = 256;

    private static readonly (string Name, TrafficRateLimit Limit, int Length)[] Cases =
    [
        ("100 kpps, 64 B", new TrafficRateLimit(100_000, 0, 10_000, 0, PolicerScope.Rule), 64),
        ("1 Mpps, 64 B", new TrafficRateLimit(1_000_000, 0, 100_000, 0, PolicerScope.Rule), 64),
        ("100 Mbit/s, 1500 B", new TrafficRateLimit(0, 100_000_000, 0, 1_250_000, PolicerScope.Rule), 1500),
        ("1 Gbit/s, 1500 B", new TrafficRateLimit(0, 1_000_000_000, 0, 12_500_000, PolicerScope.Rule), 1500),
    ];

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        int workers = 2, runs = 5;
        double seconds = 3;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--workers" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out workers) && workers is >= 1 and <= 64:
                case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out runs) && runs is >= 1 and <= 100:
                case "--seconds" when i + 1 < args.Length && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out seconds) && seconds is > 0 and <= 60:
                    i++;
                    break;
                case "--help":
                    output.WriteLine("usage: bench/throughput/run policer [--workers W (2)] [--runs R (5)] [--seconds S (3)]");
                    return 0;
                default:
                    error.WriteLine($"policer: unknown or bad argument '{args[i]}'; --help lists them");
                    return 2;
            }
        }

        output.WriteLine($"policer: {workers} thread(s) offering at full load to one shared bucket, {runs} runs of {seconds.ToString(CultureInfo.InvariantCulture)} s");
        output.WriteLine("| limit | admitted / configured, median (runs) | ns per packet offered, per thread |");
        output.WriteLine("|---|---|---|");
        foreach (var (name, limit, length) in Cases)
        {
            var ratios = new List<double>();
            var costs = new List<double>();
            for (int run = 0; run < runs; run++)
            {
                var (ratio, cost) = Measure(limit, length, workers, seconds);
                ratios.Add(ratio);
                costs.Add(cost);
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {Median(ratios):F4} ({string.Join(", ", ratios.Select(r => r.ToString("F4", CultureInfo.InvariantCulture)))}) | {Median(costs):F1} |"));
        }

        return 0;
    }

    private static (double Ratio, double NsPerPacket) Measure(TrafficRateLimit limit, int length, int workers, double seconds)
    {
        long frequency = Stopwatch.Frequency;
        long start = Stopwatch.GetTimestamp();
        var policer = new TrafficPolicer(limit, frequency, start, 16);
        long until = start + (long)(seconds * frequency);
        var admitted = new long[workers * 16];
        var offered = new long[workers * 16];
        using var ready = new Barrier(workers);
        var threads = new Thread[workers];
        for (int w = 0; w < workers; w++)
        {
            int worker = w;
            threads[w] = new Thread(() =>
            {
                ready.SignalAndWait();
                long mine = 0, tried = 0;
                while (true)
                {
                    long now = Stopwatch.GetTimestamp(); // once per batch, as a worker does
                    if (now >= until)
                    {
                        break;
                    }

                    for (int i = 0; i < Batch; i++)
                    {
                        mine += policer.Admit(now, length, 0) ? 1 : 0;
                    }

                    tried += Batch;
                }

                admitted[worker * 16] = mine;
                offered[worker * 16] = tried;
            }) { IsBackground = true };
            threads[w].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        double elapsed = (double)(until - start) / frequency;
        long total = admitted.Sum();
        long tries = offered.Sum();
        // Without the burst the bucket held when idle at the start: the rate alone over the run.
        double ratio = limit.PacketsPerSecond > 0
            ? (total - limit.BurstPackets) / (limit.PacketsPerSecond * elapsed)
            : ((total * (double)length) - limit.BurstBytes) * 8 / (limit.BitsPerSecond * elapsed);
        return (ratio, elapsed * 1e9 / (tries / (double)workers));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
