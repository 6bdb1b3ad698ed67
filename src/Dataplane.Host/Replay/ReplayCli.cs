using System.CommandLine;
using Dataplane.Host.Cli;

namespace Dataplane.Host.Replay;

/// <summary>The command line of <c>dataplane replay</c>, read into <see cref="ReplayOptions"/>.</summary>
public static class ReplayCli
{
    public static Command Create()
    {
        var config = CliOptions.InputFile("--config", "FILE.json", "data plane configuration (docs/configuration.md); default: the embedded xTR example");
        var input = CliOptions.InputFile("--in", "IN.pcap", "capture to replay (pcap or pcapng); default: the embedded example capture");
        var output = CliOptions.OutputFile("--out", "OUT.pcap", $"where transmitted packets go (pcap); default: {ReplayOptions.DefaultOutputPath}");
        var punt = CliOptions.OutputFile("--punt", "PUNT.pcap", $"where packets punted to the control plane go (pcap); default: {ReplayOptions.DefaultPuntPath}");
        var ingressPort = new Option<string>("--in-port") { Description = "configured port the input arrives on; default: the first port", HelpName = "NAME", Arity = ArgumentArity.ExactlyOne };
        var nonceSeed = CliOptions.NonNegativeInteger("--nonce-seed", $"seed of the deterministic LISP nonce sequence; default: {ReplayOptions.DefaultNonceSeed} (same input, same output)");
        var quiet = new Option<bool>("--quiet") { Description = "no progress lines" };
        var command = new Command("replay", "Run a capture through the forwarding pipeline, write what it transmits and punts, and print the counters. Without arguments, the embedded xTR example.")
        {
            config, input, output, punt, ingressPort, nonceSeed, quiet,
        };
        command.SetAction(parse =>
        {
            var defaults = new ReplayOptions();
            var options = defaults with
            {
                ConfigPath = parse.GetValue(config),
                InputPath = parse.GetValue(input),
                OutputPath = parse.GetValue(output) ?? defaults.OutputPath,
                PuntPath = parse.GetValue(punt) ?? defaults.PuntPath,
                IngressPortName = parse.GetValue(ingressPort),
                NonceSeed = parse.GetValue(nonceSeed) ?? defaults.NonceSeed,
                Quiet = parse.GetValue(quiet),
            };
            return ReplayCommand.Execute(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        });
        return command;
    }
}
