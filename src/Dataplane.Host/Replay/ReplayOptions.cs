using System.Globalization;

namespace Dataplane.Host.Replay;

/// <summary>The arguments of <c>dataplane replay</c>; <see cref="TryParse"/> says what is wrong with a bad command line.</summary>
public sealed record ReplayOptions
{
    public const ulong DefaultNonceSeed = 1;

    public const string Usage = """
        usage: dataplane replay [--config FILE.json] [--in IN.pcap] [--out OUT.pcap] [--punt PUNT.pcap]
                                [--in-port NAME] [--nonce-seed N] [--quiet]
          --config      data plane configuration (docs/configuration.md); default: the embedded xTR example
          --in          capture to replay (pcap or pcapng); default: the embedded example capture
          --out         where transmitted packets go (pcap); default: dataplane-replay-out.pcap in the temp directory
          --punt        where packets punted to the control plane go (pcap); default: dataplane-replay-punt.pcap
                        in the temp directory
          --in-port     configured port the input arrives on; default: the first port
          --nonce-seed  seed of the deterministic LISP nonce sequence; default: 1 (same input, same output)
          --quiet       no progress lines
        """;

    public string? ConfigPath { get; init; }

    public string? InputPath { get; init; }

    public string OutputPath { get; init; } = Path.Combine(Path.GetTempPath(), "dataplane-replay-out.pcap");

    public string? PuntPath { get; init; } = Path.Combine(Path.GetTempPath(), "dataplane-replay-punt.pcap");

    public string? IngressPortName { get; init; }

    public ulong NonceSeed { get; init; } = DefaultNonceSeed;

    public bool Quiet { get; init; }

    public static bool TryParse(IReadOnlyList<string> arguments, out ReplayOptions options, out string problem)
    {
        options = new ReplayOptions();
        problem = "";
        for (int i = 0; i < arguments.Count; i++)
        {
            string argument = arguments[i];
            if (argument == "--quiet")
            {
                options = options with { Quiet = true };
                continue;
            }

            if (argument is not ("--config" or "--in" or "--out" or "--punt" or "--in-port" or "--nonce-seed"))
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
            switch (argument)
            {
                case "--config":
                    options = options with { ConfigPath = value };
                    break;
                case "--in":
                    options = options with { InputPath = value };
                    break;
                case "--out":
                    options = options with { OutputPath = value };
                    break;
                case "--punt":
                    options = options with { PuntPath = value };
                    break;
                case "--in-port":
                    options = options with { IngressPortName = value };
                    break;
                case "--nonce-seed":
                    if (!ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed))
                    {
                        problem = $"--nonce-seed: '{value}' is not a non-negative integer";
                        return false;
                    }

                    options = options with { NonceSeed = seed };
                    break;
            }
        }

        return true;
    }
}
