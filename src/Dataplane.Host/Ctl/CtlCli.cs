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
            The daemon lists its methods and their parameters: 'dataplane ctl help' and 'dataplane ctl help METHOD'
            (add --socket PATH when the daemon's control.socket is not the default).
            Example: dataplane ctl mapcache.add eid=[7]10.2.0.0/16 locators=198.51.100.1:1:100,198.51.100.2:1:50 ttlMinutes=10
            """)
        {
            socket, json, parameters, method, pairs, HelpCommand(socket, json), ShowCommand(socket, json),
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

    /// <summary><c>ctl help [METHOD]</c>: the daemon's own list (rpc.describe).</summary>
    private static Command HelpCommand(Option<string> socket, Option<bool> json)
    {
        var method = new Argument<string?>("METHOD") { Description = "the method whose parameters to print; without it, every method", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("help", "Print the methods the running daemon has, or one method's parameters, as the daemon describes them.")
        {
            method,
        };
        CliOptions.RefuseUnknownOptions(command);
        command.SetAction(parse =>
        {
            string? name = parse.GetValue(method);
            var options = new CtlOptions
            {
                Socket = parse.GetValue(socket) ?? CtlOptions.DefaultSocket,
                Json = parse.GetValue(json),
                Method = CtlHelp.DescribeMethod,
                Params = name is null ? [] : new System.Text.Json.Nodes.JsonObject { ["method"] = name },
            };
            return CtlCommand.Print(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error,
                result => name is null ? CtlHelp.Methods(result) : CtlHelp.Method(result));
        });
        return command;
    }

    /// <summary><c>ctl show SUBJECT</c>: vppctl's show forms, each one method read as a table.</summary>
    private static Command ShowCommand(Option<string> socket, Option<bool> json)
    {
        var subject = new Argument<string>("SUBJECT")
        {
            Description = "what to show: " + string.Join("; ", CtlShow.Subjects.Select(s => $"{s.Subject} ({s.Method}): {s.Description}")),
        };
        subject.AcceptOnlyFromAmong([.. CtlShow.Subjects.Select(s => s.Subject)]);
        var command = new Command("show", "Show a table of the running daemon's state, as vppctl's show commands do: " + string.Join(", ", CtlShow.Subjects.Select(s => s.Subject)) + ".")
        {
            subject,
        };
        command.SetAction(parse =>
        {
            string what = parse.GetRequiredValue(subject);
            var options = new CtlOptions { Socket = parse.GetValue(socket) ?? CtlOptions.DefaultSocket, Json = parse.GetValue(json), Method = CtlShow.MethodOf(what) };
            return CtlCommand.Print(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, result => CtlShow.Table(what, result));
        });
        return command;
    }
}
