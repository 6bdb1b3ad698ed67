using System.CommandLine;
using Dataplane.Host.Bench;
using Dataplane.Host.Ctl;
using Dataplane.Host.Dpdk;
using Dataplane.Host.Inspect;
using Dataplane.Host.Replay;
using Dataplane.Host.Run;
using Dataplane.Host.Verify;

namespace Dataplane.Host.Cli;

/// <summary>
/// The <c>dataplane</c> command line: one command per verb (each defined next to the verb, e.g. <see cref="ReplayCli"/>),
/// <c>--version</c>, <c>--help</c> on every verb, shell completion, and one exit-code convention: 0 done, 1 bad input
/// data (a capture that does not parse, a daemon that refuses or cannot be reached), 2 usage or configuration error.
/// Nothing the user types ends in a stack trace: an unexpected exception becomes one <c>dataplane: ...</c> line and
/// exit 1, with the details only when <see cref="DebugVariable"/> is set.
/// </summary>
public static class DataplaneCli
{
    /// <summary>Set (to anything but 0 or empty) to get the full exception after the one-line message.</summary>
    public const string DebugVariable = "DATAPLANE_DEBUG";

    public const int Success = 0;

    public const int BadInput = 1;

    public const int UsageError = 2;

    /// <summary>The whole command tree; a fresh one per call, so tests can run verbs side by side.</summary>
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("""
            A user-space packet-processing data plane: LISP xTR, VXLAN VTEP, GTP-U/TOF on one forwarding core.
            Without arguments, 'dataplane replay' runs the embedded xTR example and 'dataplane inspect' the embedded capture.
            Exit codes: 0 done, 1 bad input data or a daemon error, 2 usage or configuration error.
            """);
        foreach (var option in root.Options.OfType<VersionOption>())
        {
            option.Action = new VersionAction();
        }

        root.Subcommands.Add(InspectCli.Create());
        root.Subcommands.Add(ReplayCli.Create());
        root.Subcommands.Add(RunCli.Create());
        root.Subcommands.Add(CtlCli.Create());
        root.Subcommands.Add(VerifyCli.Create());
        root.Subcommands.Add(CompletionCli.Create());
        root.Subcommands.Add(DpdkForwardCli.Create());
        root.Subcommands.Add(DpdkMbufCheckCli.Create());
        root.Subcommands.Add(DpdkRingBenchCli.Create());
        foreach (var option in root.Options.OfType<System.CommandLine.Help.HelpOption>())
        {
            if (option.Action is System.CommandLine.Invocation.SynchronousCommandLineAction help)
            {
                option.Action = new HiddenCommandHelpAction(help);
            }
        }

        root.SetAction(parse =>
        {
            // A bare `dataplane` is a usage error: the help goes where errors go, so a script sees it.
            parse.InvocationConfiguration.Error.WriteLine($"dataplane: no command given; 'dataplane --help' lists them");
            return UsageError;
        });
        return root;
    }

    /// <summary>Parses <paramref name="arguments"/> and runs the verb they name; the exit code.</summary>
    public static int Invoke(IReadOnlyList<string> arguments, TextWriter output, TextWriter error)
    {
        try
        {
            // No response files: an argument starting with '@' is a file name, never a list of arguments.
            var parse = CreateRoot().Parse(arguments, new ParserConfiguration { ResponseFileTokenReplacer = null });
            if (parse.Errors.Count > 0 && parse.Action is System.CommandLine.Invocation.ParseErrorAction)
            {
                error.WriteLine(ParseProblems.Describe(parse));
                return UsageError;
            }

            return parse.Invoke(new InvocationConfiguration
            {
                Output = output,
                Error = error,
                // Our guard below reports it in one line; the library's prints the stack.
                EnableDefaultExceptionHandler = false,
                // `dataplane run` handles SIGINT/SIGTERM itself (drain, then exit); the library must not take them.
                ProcessTerminationTimeout = null,
            });
        }
        catch (Exception e)
        {
            error.WriteLine($"dataplane: {OneLine(e.Message)}");
            if (DebugEnabled)
            {
                error.WriteLine(e.ToString());
            }

            return BadInput;
        }
    }

    private static bool DebugEnabled => Environment.GetEnvironmentVariable(DebugVariable) is { Length: > 0 } value && value != "0";

    private static string OneLine(string text) => string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
