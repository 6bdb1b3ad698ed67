using System.CommandLine;
using System.CommandLine.Parsing;

namespace Dataplane.Host.Cli;

/// <summary>
/// A command line the parser refused, said in one line: the verb, the first problem in our words ("--in needs a
/// value", "unknown option '--bogus'"), a "did you mean" when a known name is close, and where the help is.
/// </summary>
public static class ParseProblems
{
    public static string Describe(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        string path = CommandPath(parse.CommandResult);
        return $"{path}: {Problem(parse, command)}; see '{path} --help'";
    }

    private static string Problem(ParseResult parse, Command command)
    {
        // An unknown token is the cause of the other errors it brings (a required option that looks missing ...).
        if (parse.UnmatchedTokens.Count > 0)
        {
            string token = parse.UnmatchedTokens[0];
            if (token.StartsWith('-'))
            {
                var names = KnownOptions(parse.CommandResult).SelectMany(o => o.Aliases.Append(o.Name));
                return $"unknown option '{token}'{Suggestion(token, names)}";
            }

            var commands = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
            return commands.Count > 0 && command.Arguments.Count == 0
                ? $"unknown command '{token}'{Suggestion(token, commands)}"
                : $"unexpected argument '{token}'";
        }

        var error = parse.Errors[0];
        if (error.SymbolResult is OptionResult { Tokens.Count: 0 } option && option.Option.Arity.MinimumNumberOfValues > 0 && !option.Implicit)
        {
            return $"{option.IdentifierToken?.Value ?? option.Option.Name} needs a value";
        }

        // The library's messages can span lines ("Must be one of:\n\t'bash'"); ours is one line.
        return string.Join(' ', error.Message.Split(['\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
    }

    /// <summary>The options that apply at this command: its own and the recursive ones of its parents.</summary>
    private static IEnumerable<Option> KnownOptions(CommandResult result)
    {
        foreach (var option in result.Command.Options.Where(o => !o.Hidden))
        {
            yield return option;
        }

        for (var parent = result.Parent as CommandResult; parent is not null; parent = parent.Parent as CommandResult)
        {
            foreach (var option in parent.Command.Options.Where(o => o.Recursive && !o.Hidden))
            {
                yield return option;
            }
        }
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? at = result; at is CommandResult command; at = command.Parent)
        {
            names.Add(command.Command is RootCommand ? "dataplane" : command.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>" (did you mean 'replay'?)" for the closest name within two edits that keeps at least half of it, else "".</summary>
    public static string Suggestion(string typed, IEnumerable<string> names)
    {
        string bare = typed.TrimStart('-');
        var best = names.Distinct(StringComparer.Ordinal)
            .Select(name => (Name: name, Distance: EditDistance(bare, name.TrimStart('-'))))
            .Where(c => c.Distance <= 2 && c.Distance * 2 < c.Name.TrimStart('-').Length)
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        return best.Name is null ? "" : $" (did you mean '{best.Name}'?)";
    }

    /// <summary>Damerau-Levenshtein with adjacent transpositions, so "repaly" is one edit from "replay".</summary>
    public static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
