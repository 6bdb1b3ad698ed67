using System.CommandLine;
using Dataplane.Host.Cli;

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
        var command = new Command("run", "The daemon: forward between the configured ports until SIGINT or SIGTERM, then drain, free and print the final counters.")
        {
            config, exitWhenIdle, duration, nonceSeed,
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
            };
            return RunCommand.Execute(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        });
        return command;
    }
}
