using System.Diagnostics;

namespace Dataplane.Tests.Fuzz;

/// <summary>
/// How long each family is fuzzed: a bounded count of executions and a wall-clock cap, both overridable for the
/// long form (DATAPLANE_FUZZ_EXECUTIONS, DATAPLANE_FUZZ_SECONDS; see docs/reliability.md, "Fuzzing"). The seed is
/// fixed unless DATAPLANE_FUZZ_SEED is set, so a failing CI run replays exactly.
/// </summary>
public static class FuzzBudget
{
    private static readonly Lock ReportLock = new();

    public static int Seed => int.TryParse(Environment.GetEnvironmentVariable("DATAPLANE_FUZZ_SEED"), out int seed) ? seed : 0x5EED;

    public static long Executions(long shortForm) =>
        long.TryParse(Environment.GetEnvironmentVariable("DATAPLANE_FUZZ_EXECUTIONS"), out long n) && n > 0 ? n : shortForm;

    public static TimeSpan Time =>
        TimeSpan.FromSeconds(double.TryParse(Environment.GetEnvironmentVariable("DATAPLANE_FUZZ_SECONDS"), out double s) && s > 0 ? s : 8);

    /// <summary>Runs <paramref name="execute"/> on mutated inputs until the count or the time runs out; returns executions done.</summary>
    public static long Run(string family, IReadOnlyList<byte[]> seeds, long shortFormExecutions, Action<byte[]> execute)
    {
        Assert.NotEmpty(seeds);
        long limit = Executions(shortFormExecutions);
        var clock = Stopwatch.StartNew();
        var mutator = new InputMutator(Seed ^ family.GetHashCode(StringComparison.Ordinal));
        foreach (var seed in seeds)
        {
            execute(seed);
        }

        long done = seeds.Count;
        while (done < limit && clock.Elapsed < Time)
        {
            byte[] input = mutator.Next(seeds);
            try
            {
                execute(input);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"fuzz {family}: execution {done} failed on input {Convert.ToHexString(input)}", e);
            }

            done++;
        }

        string line = $"fuzz {family}: {done} executions in {clock.Elapsed.TotalSeconds:F1} s, 0 crashes";
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        if (Environment.GetEnvironmentVariable("DATAPLANE_FUZZ_REPORT") is { Length: > 0 } report)
        {
            lock (ReportLock)
            {
                File.AppendAllText(report, line + Environment.NewLine);
            }
        }
        return done;
    }
}
