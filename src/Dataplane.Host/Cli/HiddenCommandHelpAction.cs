using System.CommandLine;
using System.CommandLine.Invocation;

namespace Dataplane.Host.Cli;

/// <summary>
/// --help for every command, the hidden ones too: the library writes nothing for a hidden command, but a test or
/// bring-up verb kept out of the top-level list still deserves its own help when asked by name.
/// </summary>
public sealed class HiddenCommandHelpAction(SynchronousCommandLineAction help) : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => help.ClearsParseErrors;

    public override int Invoke(ParseResult parseResult)
    {
        var command = parseResult.CommandResult.Command;
        bool hidden = command.Hidden;
        command.Hidden = false;
        try
        {
            return help.Invoke(parseResult);
        }
        finally
        {
            command.Hidden = hidden;
        }
    }
}
