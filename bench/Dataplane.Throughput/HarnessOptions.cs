using System.Globalization;
using Dataplane.Throughput.Scenarios;

namespace Dataplane.Throughput;

/// <summary>The command line of the harness (bench/throughput/run passes its arguments through).</summary>
public sealed record HarnessOptions
{
    public const string Usage = """
        usage: bench/throughput/run [options]
          --scenarios a,b     scenarios to run (default all: itr-v4,itr-v6,etr-v4,rtr,vtep-encap,vtep-decap,gtpu-encap,gtpu-decap,tof-offload,tof-offload-export)
          --sizes 64,128,...  frame sizes on the wire, FCS included (default 64,128,512,1500)
          --workers 1,2       worker counts, one pinned thread per worker (default 1,2)
          --warmup S          warm-up seconds per cell (default 1)
          --first-warmup S    extra warm-up of each scenario's first cell, for tiered JIT to reach tier 1 (default 1)
          --seconds S         seconds per measured window (default 2)
          --runs N            measured windows per cell (default 3)
          --gc-seconds S      one long window of itr-v4 at 64 bytes checking allocations and collections (default 10, 0 = off)
          --ring N            distinct frames per worker ring, a multiple of 256 (default 16384)
          --prefixes N        map-cache prefixes of the LISP scenarios (default 1048576)
          --out DIR           where throughput.md/.json/.svg go (default artifacts/bench)
          --baseline PATH     the C baseline (default artifacts/native/itr_baseline)
          --quick             CI smoke: sizes 64,1500, 1 worker, 0.2 s warm-up (+0.3 s first), 0.2 s x 1 run, no GC check, 1K prefixes
          --help              this text
        """;

    public IReadOnlyList<string> Scenarios { get; init; } = ScenarioCatalog.All.Select(scenario => scenario.Name).ToArray();

    public IReadOnlyList<int> Sizes { get; init; } = [64, 128, 512, 1500];

    public IReadOnlyList<int> Workers { get; init; } = [1, 2];

    public double WarmupSeconds { get; init; } = 1;

    public double FirstCellExtraWarmupSeconds { get; init; } = 1;

    public double Seconds { get; init; } = 2;

    public int Runs { get; init; } = 3;

    public double GcSeconds { get; init; } = 10;

    public int Ring { get; init; } = 16384;

    public int Prefixes { get; init; } = 1 << 20;

    public string Out { get; init; } = Path.Combine("artifacts", "bench");

    public string Baseline { get; init; } = Path.Combine("artifacts", "native", "itr_baseline");

    public bool Quick { get; init; }

    public bool Help { get; init; }

    /// <summary>Parses the arguments; <see cref="ArgumentException"/> with a message for the user when one is wrong.</summary>
    public static HarnessOptions Parse(IReadOnlyList<string> args)
    {
        bool quick = args.Contains("--quick");
        var options = quick
            ? new HarnessOptions { Quick = true, Sizes = [64, 1500], Workers = [1], WarmupSeconds = 0.2, FirstCellExtraWarmupSeconds = 0.3, Seconds = 0.2, Runs = 1, GcSeconds = 0, Prefixes = 1024 }
            : new HarnessOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            if (name is "--quick")
            {
                continue;
            }

            if (name is "--help" or "-h")
            {
                options = options with { Help = true };
                continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException(name.StartsWith("--", StringComparison.Ordinal) && IsKnown(name) ? $"{name} needs a value" : $"unknown option '{name}'");
            }

            string value = args[++i];
            options = name switch
            {
                "--scenarios" => options with { Scenarios = ScenarioList(value) },
                "--sizes" => options with { Sizes = IntList(name, value, 60, 9000) },
                "--workers" => options with { Workers = IntList(name, value, 1, 64) },
                "--warmup" => options with { WarmupSeconds = ParseSeconds(name, value, allowZero: true) },
                "--first-warmup" => options with { FirstCellExtraWarmupSeconds = ParseSeconds(name, value, allowZero: true) },
                "--seconds" => options with { Seconds = ParseSeconds(name, value, allowZero: false) },
                "--runs" => options with { Runs = Int(name, value, 1, 100) },
                "--gc-seconds" => options with { GcSeconds = ParseSeconds(name, value, allowZero: true) },
                "--ring" => options with { Ring = RingSize(value) },
                "--prefixes" => options with { Prefixes = Int(name, value, 1, 1 << 22) },
                "--out" => options with { Out = value },
                "--baseline" => options with { Baseline = value },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }

        return options;
    }

    private static bool IsKnown(string name) => Usage.Contains(name + " ", StringComparison.Ordinal);

    private static string[] ScenarioList(string value)
    {
        string[] names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0)
        {
            throw new ArgumentException("--scenarios: name at least one scenario");
        }

        foreach (string name in names)
        {
            if (ScenarioCatalog.Find(name) is null)
            {
                throw new ArgumentException($"--scenarios: unknown scenario '{name}' (known: {string.Join(", ", ScenarioCatalog.All.Select(scenario => scenario.Name))})");
            }
        }

        return names;
    }

    private static int[] IntList(string name, string value, int min, int max)
    {
        string[] parts = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            throw new ArgumentException($"{name}: give at least one value");
        }

        return parts.Select(part => Int(name, part, min, max)).Distinct().ToArray();
    }

    private static int Int(string name, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int result) || result < min || result > max)
        {
            throw new ArgumentException($"{name}: '{value}' is not a whole number between {min} and {max}");
        }

        return result;
    }

    private static double ParseSeconds(string name, string value, bool allowZero)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double result) || double.IsNaN(result) || result < 0 || (!allowZero && result == 0) || result > 3600)
        {
            throw new ArgumentException($"{name}: '{value}' is not a number of seconds{(allowZero ? " (0 or more)" : " above 0")}, at most 3600");
        }

        return result;
    }

    private static int RingSize(string value)
    {
        int ring = Int("--ring", value, 256, 1 << 20);
        if (ring % 256 != 0)
        {
            throw new ArgumentException($"--ring: {ring} is not a multiple of 256 (the ring hands out whole batches)");
        }

        return ring;
    }
}
