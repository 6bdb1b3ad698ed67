using System.CommandLine;
using Dataplane.Host.Cli;

namespace Dataplane.Host.Ctl;

/// <summary>The command line of <c>dataplane ctl</c>, read into <see cref="CtlOptions"/>.</summary>
public static class CtlCli
{
    public static Command Create()
    {
        // Recursive: `ctl --socket S help` and `ctl help --socket S` both work, for every ctl subcommand.
        var socket = new Option<string>("--socket")
        {
            Description = $"the daemon's control socket (control.socket in its configuration); default: {CtlOptions.DefaultSocket}",
            HelpName = "PATH",
            Arity = ArgumentArity.ExactlyOne,
            Recursive = true,
        };
        var json = new Option<bool>("--json") { Description = "print the raw JSON result instead of a table", Recursive = true };
        var parameters = new Option<string>("--params")
        {
            Description = """the params object as JSON, e.g. --params '{"eid":"[7]10.2.0.0/16"}'; key=value words are merged over it""",
            HelpName = "JSON",
            Arity = ArgumentArity.ExactlyOne,
        };
        var method = new Argument<string?>("METHOD") { Description = "the control method, e.g. mapcache.list", Arity = ArgumentArity.ZeroOrOne };
        var pairs = new Argument<string[]>("key=value")
        {
            Description = "one param each; numbers, true/false and null are typed, locators=ADDR:PRIO:WEIGHT[,...] is a list",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("ctl", """
            Call a method of a running daemon's control socket (docs/control.md).
            Example: dataplane ctl mapcache.add eid=[7]10.2.0.0/16 locators=198.51.100.1:1:100,198.51.100.2:1:50 ttlMinutes=10
            """)
        {
            socket, json, parameters, method, pairs,
        };
        CliOptions.RefuseUnknownOptions(command);
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(method) is not { } name)
            {
                error.WriteLine("dataplane ctl: no method given; see 'dataplane ctl --help'");
                return DataplaneCli.UsageError;
            }

            if (!CtlParams.TryParse(parse.GetValue(parameters), parse.GetValue(pairs) ?? [], out var values, out string problem))
            {
                error.WriteLine($"dataplane ctl: {problem}");
                return DataplaneCli.UsageError;
            }

            var options = new CtlOptions { Socket = parse.GetValue(socket) ?? CtlOptions.DefaultSocket, Json = parse.GetValue(json), Method = name, Params = values };
            return CtlCommand.Execute(options, output, error);
        });
        return command;
    }
}
