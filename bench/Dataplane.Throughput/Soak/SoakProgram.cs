using System.Globalization;

namespace Dataplane.Throughput.Soak;

/// <summary>The `soak` mode: `Dataplane.Throughput soak [--seconds S] [--updates-per-second N] [--prefixes P] [--output DIR]`; exit 0 when every invariant held.</summary>
public static class SoakProgram
{
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var options = new SoakOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : "";
            switch (args[i])
            {
                case "--seconds":
                    options = options with { Seconds = Positive(args[i], value) };
                    i++;
                    break;
                case "--updates-per-second":
                    options = options with { UpdatesPerSecond = Positive(args[i], value) };
                    i++;
                    break;
                case "--prefixes":
                    options = options with { Prefixes = Positive(args[i], value) };
                    i++;
                    break;
                case "--output":
                    options = options with { OutputDirectory = value };
                    i++;
                    break;
                default:
                    error.WriteLine($"soak: unknown argument '{args[i]}' (--seconds S, --updates-per-second N, --prefixes P, --output DIR)");
                    return 2;
            }
        }

        if (options.Seconds < 2)
        {
            error.WriteLine("soak: --seconds must be at least 2 (the memory verdict compares two halves)");
            return 2;
        }

        var result = SoakRunner.Run(options, output);
        if (options.OutputDirectory is not null)
        {
            SoakReport.Write(result, options.OutputDirectory);
            output.WriteLine($"soak: wrote {Path.Combine(options.OutputDirectory, "soak.md")} and soak.json");
        }

        foreach (var failure in result.Failures)
        {
            error.WriteLine($"soak: FAIL: {failure}");
        }

        output.WriteLine(result.Passed ? "soak: PASS" : "soak: FAIL");
        return result.Passed ? 0 : 1;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) && parsed > 0
            ? parsed
            : throw new ArgumentException($"{name} takes a positive integer, not '{value}'");
}
