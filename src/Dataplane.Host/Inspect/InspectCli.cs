using System.CommandLine;
using Dataplane.Host.Cli;

namespace Dataplane.Host.Inspect;

/// <summary>The command line of <c>dataplane inspect [FILE]</c>.</summary>
public static class InspectCli
{
    public static Command Create()
    {
        var file = new Argument<string?>("FILE")
        {
            Description = "capture to read (pcap or pcapng); default: the capture embedded in the program",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("inspect", "Name every header layer of every packet of a capture, then tally them and list the packets that failed to parse.")
        {
            file,
        };
        CliOptions.RefuseUnknownOptions(command);
        command.SetAction(parse => InspectCommand.Execute(parse.GetValue(file), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }
}
