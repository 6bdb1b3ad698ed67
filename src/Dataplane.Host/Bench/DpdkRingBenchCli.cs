using System.CommandLine;
using Dataplane.Host.Cli;

namespace Dataplane.Host.Bench;

/// <summary>The command line of the hidden <c>dataplane dpdk-ring-bench</c>, the benchmark bench/ports/run drives.</summary>
public static class DpdkRingBenchCli
{
    public static Command Create()
    {
        var config = CliOptions.InputFile("--config", "CFG", "every port of CFG is driver dpdk with dpdkDevice \"net_ring_<name>\"");
        var frames = CliOptions.InputFile("--frames", "CAP", "capture whose frames go into the ingress port over and over");
        var ingress = new Option<string>("--ingress") { Description = "the port of CFG the frames go into", HelpName = "PORT", Arity = ArgumentArity.ExactlyOne };
        var seconds = CliOptions.Seconds("--seconds", $"measured seconds; default: {DpdkRingBenchOptions.DefaultSeconds}");
        var warmup = CliOptions.Seconds("--warmup", $"warm-up seconds before measuring; default: {DpdkRingBenchOptions.DefaultWarmupSeconds}", allowZero: true);
        var generatorCore = CliOptions.Integer("--generator-core", "C", "core of the traffic generator; default: 0", minimum: 0);
        var command = new Command("dpdk-ring-bench", "Count the packets the daemon's workers forward over net_ring cables: Mpps per worker and a JSON line.")
        {
            config, frames, ingress, seconds, warmup, generatorCore,
        };
        command.Hidden = true;
        command.Validators.Add(result =>
        {
            foreach (var required in new Option[] { config, frames, ingress })
            {
                if (result.GetResult(required) is null)
                {
                    result.AddError($"{required.Name} is required");
                }
            }
        });
        command.SetAction(parse => DpdkRingBenchCommand.Execute(
            new DpdkRingBenchOptions
            {
                ConfigPath = parse.GetRequiredValue(config),
                FramesPath = parse.GetRequiredValue(frames),
                IngressPortName = parse.GetRequiredValue(ingress),
                Seconds = parse.GetValue(seconds) ?? DpdkRingBenchOptions.DefaultSeconds,
                WarmupSeconds = parse.GetValue(warmup) ?? DpdkRingBenchOptions.DefaultWarmupSeconds,
                GeneratorCore = parse.GetValue(generatorCore) ?? 0,
            },
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error));
        return command;
    }
}
