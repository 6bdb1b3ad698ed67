using System.CommandLine;
using Dataplane.Host.Cli;

namespace Dataplane.Host.Replay;

/// <summary>The command line of <c>dataplane replay</c>, read into <see cref="ReplayOptions"/>.</summary>
public static class ReplayCli
{
    public static Command Create()
    {
        var config = CliOptions.InputFile("--config", "FILE.json", "data plane configuration (docs/configuration.md); default: the embedded xTR example");
        var input = CliOptions.InputFile("--in", "IN", "capture to replay (pcap or pcapng; a pcapng's interfaces named after ports feed those ports); default: the embedded example capture");
        var output = CliOptions.OutputFile("--out", "OUT", "transmitted packets: pcapng with one interface per port, or a classic pcap (every port merged) when the name ends in .pcap; default: IN.out.pcapng next to the input");
        var punt = CliOptions.OutputFile("--punt", "PUNT", "packets punted to the control plane, on their ingress port; default: IN.punt.pcapng next to the input");
        var outputDirectory = new Option<string>("--out-dir") { Description = "directory for the default --out and --punt names; default: the input's (the current directory for the embedded example)", HelpName = "DIR", Arity = ArgumentArity.ExactlyOne };
        var drops = CliOptions.OutputFile("--drops", "DROPS.pcapng", "every dropped packet, on its ingress port, with its drop reason and stage in a comment (pcapng)");
        var ingressPort = new Option<string>("--in-port") { Description = "configured port a classic pcap (or an unnamed pcapng interface) feeds; default: the first port", HelpName = "NAME", Arity = ArgumentArity.ExactlyOne };
        var nonceSeed = CliOptions.NonNegativeInteger("--nonce-seed", $"seed of the deterministic LISP nonce sequence; default: {ReplayOptions.DefaultNonceSeed} (same input, same output)");
        var json = new Option<bool>("--json") { Description = "the counters as one JSON document on stdout (docs/replay.md)" };
        var expect = CliOptions.InputFile("--expect", "COUNTERS.json", "compare the counters with a file in the --json format (only the fields it holds); exit 1 listing the differences");
        var expectPcap = CliOptions.InputFile("--expect-pcap", "FILE", "compare the transmitted packets with a capture, per port when it names its interfaces; exit 1 naming the first differing packet and byte");
        var trace = CliOptions.Integer("--trace", "N", "print the path of the first N packets through the stages", minimum: 0);
        var quiet = new Option<bool>("--quiet") { Description = "no progress lines" };
        var command = new Command("replay", "Run a capture through the forwarding pipeline, write what it transmits, punts and drops, print the counters, and compare them with what a regression suite expects. Without arguments, the embedded xTR example.")
        {
            config, input, output, punt, outputDirectory, drops, ingressPort, nonceSeed, json, expect, expectPcap, trace, quiet,
        };
        command.SetAction(parse =>
        {
            var defaults = new ReplayOptions();
            var options = defaults with
            {
                ConfigPath = parse.GetValue(config),
                InputPath = parse.GetValue(input),
                OutputPath = parse.GetValue(output),
                PuntPath = parse.GetValue(punt),
                OutputDirectory = parse.GetValue(outputDirectory),
                DropsPath = parse.GetValue(drops),
                IngressPortName = parse.GetValue(ingressPort),
                NonceSeed = parse.GetValue(nonceSeed) ?? defaults.NonceSeed,
                Json = parse.GetValue(json),
                ExpectPath = parse.GetValue(expect),
                ExpectPcapPath = parse.GetValue(expectPcap),
                TraceCount = parse.GetValue(trace) ?? 0,
                Quiet = parse.GetValue(quiet),
            };
            return ReplayCommand.Execute(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        });
        return command;
    }
}
