using System.CommandLine;

namespace Dataplane.Host.Cli;

/// <summary>
/// <c>dataplane completion bash</c>: prints a bash completion script. The script asks the program itself what fits at
/// the cursor (System.CommandLine's <c>[suggest:POSITION]</c> directive), so verbs and options added later complete
/// without a new script.
/// </summary>
public static class CompletionCli
{
    public const string BashScript = """
        # bash completion for dataplane; install: dataplane completion bash > /usr/share/bash-completion/completions/dataplane
        _dataplane_complete()
        {
            local line="${COMP_LINE:0:COMP_POINT}"
            local IFS=$'\n'
            local candidates
            candidates=$("${COMP_WORDS[0]}" "[suggest:${#line}]" "$line" 2>/dev/null) || return 0
            COMPREPLY=($(compgen -W "$candidates" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -F _dataplane_complete dataplane
        """;

    public static Command Create()
    {
        var shell = new Argument<string>("SHELL") { Description = "the shell to print a completion script for" };
        shell.AcceptOnlyFromAmong("bash");
        var command = new Command("completion", "Print a shell completion script (bash): source it, or install it as /usr/share/bash-completion/completions/dataplane.")
        {
            shell,
        };
        command.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.WriteLine(BashScript);
            return DataplaneCli.Success;
        });
        return command;
    }
}
