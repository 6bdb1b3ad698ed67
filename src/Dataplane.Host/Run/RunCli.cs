using System.CommandLine;
using System.CommandLine.Parsing;
using Dataplane.Control.Logging;
using Dataplane.Host.Cli;
using Microsoft.Extensions.Logging;

namespace Dataplane.Host.Run;

/// <summary>The command line of <c>dataplane run</c>, read into <see cref="RunOptions"/>.</summary>
public static class RunCli
{
    public static Command Create()
    {
        var config = CliOptions.InputFile("--config", "FILE.json", "data plane configuration with port drivers (docs/configuration.md, docs/ports/)");
        var exitWhenIdle = CliOptions.Seconds("--exit-when-idle", "stop once every capture input is read and no packet arrived for SECONDS (tests, demos)");
        var duration = CliOptions.Seconds("--duration", "stop after SECONDS");
        var nonceSeed = CliOptions.NonNegativeInteger("--nonce-seed", "LISP nonces from the seeded sequence replay uses (reproducible runs); default: random");
        var logLevel = Choice<LogLevel>("--log-level", "LEVEL", "trace, debug, information, warning, error or critical; default: control.logLevel, else information",
            LogLevels.Names, (string text, out LogLevel level) => LogLevels.TryParse(text, out level));
        var logFormat = Choice<LogFormat>("--log-format", "FORMAT", "plain (timestamped lines), systemd (journald priorities) or json (one object per line); default: systemd under systemd, else plain",
            LogFormats.Names, (string text, out LogFormat format) => LogFormats.TryParse(text, out format));
        var command = new Command("run", "The daemon: forward between the configured ports until SIGINT or SIGTERM, then drain, free and print the final counters; SIGHUP reloads the configuration.")
        {
            config, exitWhenIdle, duration, nonceSeed, logLevel, logFormat,
        };
        // Said in the verb's words rather than the parser's "Required option ... is missing".
        command.Validators.Add(result =>
        {
            if (result.GetResult(config) is null)
            {
                result.AddError("--config is required");
            }
        });
        command.SetAction(parse =>
        {
            var options = new RunOptions
            {
                ConfigPath = parse.GetRequiredValue(config),
                ExitWhenIdleSeconds = parse.GetValue(exitWhenIdle),
                DurationSeconds = parse.GetValue(duration),
                NonceSeed = parse.GetValue(nonceSeed),
                LogLevel = parse.GetValue(logLevel),
                LogFormat = parse.GetValue(logFormat),
            };
            return RunCommand.Execute(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        });
        return command;
    }

    private delegate bool TryParseChoice<T>(string text, out T value);

    /// <summary>One of a fixed set of names, refused in the verb's words ("--log-level: 'loud' is not one of: ...").</summary>
    private static Option<T?> Choice<T>(string name, string helpName, string description, string names, TryParseChoice<T> tryParse)
        where T : struct
    {
        var option = new Option<T?>(name)
        {
            Description = description,
            HelpName = helpName,
            Arity = ArgumentArity.ExactlyOne,
            CustomParser = result =>
            {
                string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (tryParse(text, out var value))
                {
                    return value;
                }

                result.AddError($"{name}: '{text}' is not one of: {names}");
                return null;
            },
        };
        option.CompletionSources.Add(names.Split(", "));
        return option;
    }
}
