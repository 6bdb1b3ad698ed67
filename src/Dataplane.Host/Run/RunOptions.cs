using System.Globalization;

namespace Dataplane.Host.Run;

/// <summary>The arguments of <c>dataplane run</c>.</summary>
public sealed record RunOptions
{
    public const string Usage = """
        usage: dataplane run --config FILE.json [--exit-when-idle SECONDS] [--duration SECONDS] [--nonce-seed N]
          --config          data plane configuration with port drivers (docs/configuration.md, docs/ports/)
          --exit-when-idle  stop once every capture input is read and no packet arrived for SECONDS (tests, demos)
          --duration        stop after SECONDS
          --nonce-seed      LISP nonces from the seeded sequence replay uses (reproducible runs); default: random
        Runs until SIGINT or SIGTERM, then drains, frees and prints the final counters.
        """;

    public string ConfigPath { get; init; } = "";

    public double? ExitWhenIdleSeconds { get; init; }

    public double? DurationSeconds { get; init; }

    public ulong? NonceSeed { get; init; }

    public static bool TryParse(IReadOnlyList<string> arguments, out RunOptions options, out string problem)
    {
        options = new RunOptions();
        problem = "";
        for (int i = 0; i < arguments.Count; i++)
        {
            string argument = arguments[i];
            if (argument is not ("--config" or "--exit-when-idle" or "--duration" or "--nonce-seed"))
            {
                problem = argument.StartsWith('-') ? $"unknown option '{argument}'" : $"unexpected argument '{argument}'";
                return false;
            }

            if (i + 1 >= arguments.Count)
            {
                problem = $"{argument} needs a value";
                return false;
            }

            string value = arguments[++i];
            if (argument == "--config")
            {
                options = options with { ConfigPath = value };
                continue;
            }

            if (argument == "--nonce-seed")
            {
                if (!ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed))
                {
                    problem = $"--nonce-seed: '{value}' is not a non-negative integer";
                    return false;
                }

                options = options with { NonceSeed = seed };
                continue;
            }

            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || seconds <= 0)
            {
                problem = $"{argument}: '{value}' is not a positive number of seconds";
                return false;
            }

            options = argument == "--duration" ? options with { DurationSeconds = seconds } : options with { ExitWhenIdleSeconds = seconds };
        }

        if (options.ConfigPath.Length == 0)
        {
            problem = "--config is required";
            return false;
        }

        return true;
    }
}
