using System.CommandLine;
using Dataplane.Host.Cli;

namespace Dataplane.Host.Dpdk;

/// <summary>The command line of the hidden <c>dataplane dpdk-forward</c> (tests and bring-up, docs/ports/dpdk.md).</summary>
public static class DpdkForwardCli
{
    public static Command Create()
    {
        var config = CliOptions.InputFile("--config", "CFG", "configuration whose DPDK ports one worker runs on");
        var eal = new Option<string>("--eal") { Description = "EAL arguments, split on spaces, in place of dpdk.eal of CFG", HelpName = "\"EAL ARGS\"", Arity = ArgumentArity.ExactlyOne };
        var device = new Option<string>("--device") { Description = "device of ports[0] when CFG gives none", HelpName = "DEV", Arity = ArgumentArity.ExactlyOne };
        var inject = CliOptions.InputFile("--inject", "CAP", "send the frames of this capture out of ports[0] first (to start traffic in a net_ring loop)");
        var idle = CliOptions.Integer("--idle-ms", "N", $"stop once rx has been idle N ms; default: {DpdkForwardOptions.DefaultIdleMilliseconds}", minimum: 1);
        var command = new Command("dpdk-forward", "Run one worker on the DPDK ports of a configuration until rx is idle, then print the counters.")
        {
            config, eal, device, inject, idle,
        };
        command.Hidden = true;
        command.Validators.Add(result =>
        {
            if (result.GetResult(config) is null)
            {
                result.AddError("--config is required");
            }
        });
        command.SetAction(parse => DpdkForwardCommand.Execute(
            new DpdkForwardOptions
            {
                ConfigPath = parse.GetRequiredValue(config),
                Eal = parse.GetValue(eal),
                Device = parse.GetValue(device),
                InjectPath = parse.GetValue(inject),
                IdleMilliseconds = parse.GetValue(idle) ?? DpdkForwardOptions.DefaultIdleMilliseconds,
            },
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error));
        return command;
    }
}
