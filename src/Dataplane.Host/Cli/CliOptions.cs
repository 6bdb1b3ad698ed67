using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Dataplane.Host.Cli;

/// <summary>
/// Options whose values are checked while parsing, with messages that name the option and the value ("--nonce-seed:
/// '-1' is not a non-negative integer"), so every verb refuses the same mistakes in the same words.
/// </summary>
public static class CliOptions
{
    /// <summary>A file the command reads; whether it exists is the verb's to say (a missing input is bad input data, exit 1).</summary>
    public static Option<string> InputFile(string name, string helpName, string description) =>
        new(name) { Description = description, HelpName = helpName, Arity = ArgumentArity.ExactlyOne };

    /// <summary>A file the command writes: its directory must exist, or the command line is refused before any work.</summary>
    public static Option<string> OutputFile(string name, string helpName, string description)
    {
        var option = new Option<string>(name) { Description = description, HelpName = helpName, Arity = ArgumentArity.ExactlyOne };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && OutputProblem(result.Tokens[0].Value) is { } problem)
            {
                result.AddError($"{name}: {problem}");
            }
        });
        return option;
    }

    public static Option<ulong?> NonNegativeInteger(string name, string description) =>
        new(name)
        {
            Description = description,
            HelpName = "N",
            Arity = ArgumentArity.ExactlyOne,
            CustomParser = result => Parse<ulong>(result, name, "a non-negative integer",
                text => ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value) ? value : (ulong?)null),
        };

    public static Option<int?> Integer(string name, string helpName, string description, int minimum) =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            Arity = ArgumentArity.ExactlyOne,
            CustomParser = result => Parse<int>(result, name, $"an integer of at least {minimum}",
                text => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) && value >= minimum ? value : (int?)null),
        };

    /// <summary>Seconds as a decimal number; <paramref name="allowZero"/> for a warm-up that may be skipped.</summary>
    public static Option<double?> Seconds(string name, string description, bool allowZero = false) =>
        new(name)
        {
            Description = description,
            HelpName = "SECONDS",
            Arity = ArgumentArity.ExactlyOne,
            CustomParser = result => Parse<double>(result, name, allowZero ? "a number of seconds (0 or more)" : "a positive number of seconds",
                text => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
                        && (value > 0 || (allowZero && value == 0)) ? value : (double?)null),
        };

    /// <summary>
    /// The parser hands a word it does not know as an option ("--bogus") to a positional argument that takes any text;
    /// refuse it there as the unknown option it is (a file really named so is still reachable as ./-name).
    /// </summary>
    public static void RefuseUnknownOptions(Command command)
    {
        command.Validators.Add(result =>
        {
            foreach (var argument in command.Arguments)
            {
                foreach (var token in result.GetResult(argument)?.Tokens ?? [])
                {
                    if (token.Value.Length > 1 && token.Value[0] == '-')
                    {
                        var names = command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Append(o.Name));
                        result.AddError($"unknown option '{token.Value}'{ParseProblems.Suggestion(token.Value, names)}");
                        return;
                    }
                }
            }
        });
    }

    /// <summary>Why a file cannot be created at <paramref name="path"/>, or null when its directory is there.</summary>
    public static string? OutputProblem(string path)
    {
        if (path.Length == 0)
        {
            return "an empty file name";
        }

        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            return $"'{path}' is a directory; give a file name";
        }

        string? directory = Path.GetDirectoryName(full);
        return directory is not null && !Directory.Exists(directory) ? $"directory '{directory}' does not exist" : null;
    }

    private static T? Parse<T>(ArgumentResult result, string name, string expected, Func<string, T?> parse)
        where T : struct
    {
        string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (parse(text) is { } value)
        {
            return value;
        }

        result.AddError($"{name}: '{text}' is not {expected}");
        return null;
    }
}
