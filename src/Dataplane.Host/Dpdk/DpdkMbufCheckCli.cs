using System.CommandLine;

namespace Dataplane.Host.Dpdk;

/// <summary>The command line of the hidden <c>dataplane dpdk-mbuf-check --eal "ARGS"</c> (tests and bring-up).</summary>
public static class DpdkMbufCheckCli
{
    public static Command Create()
    {
        var eal = new Option<string>("--eal") { Description = "EAL arguments, split on spaces, with --vdev=net_ring0", HelpName = "\"EAL ARGS\"", Arity = ArgumentArity.ExactlyOne };
        var command = new Command("dpdk-mbuf-check", "Print the rte_mbuf fields as .NET reads them next to DPDK's own accessors, for a fresh mbuf, after each side moves the frame, and round a net_ring loop.")
        {
            eal,
        };
        command.Hidden = true;
        command.Validators.Add(result =>
        {
            if (result.GetResult(eal) is null)
            {
                result.AddError("--eal is required");
            }
        });
        command.SetAction(parse => DpdkMbufCheckCommand.Execute(parse.GetRequiredValue(eal), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }
}
