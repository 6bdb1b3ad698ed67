using System.CommandLine;
using Dataplane.Host.Cli;

namespace Dataplane.Host.Verify;

/// <summary>The command line of <c>dataplane verify --config FILE [--state DIR] [--json]</c>.</summary>
public static class VerifyCli
{
    public static Command Create()
    {
        var config = CliOptions.InputFile("--config", "FILE.json", "the configuration to check, read as 'dataplane run' reads it (docs/configuration.md)");
        var state = new Option<string>("--state")
        {
            Description = "a state directory 'dataplane run' wrote (control.stateDirectory): its snapshot and journal go over the configuration, read only",
            HelpName = "DIR",
            Arity = ArgumentArity.ExactlyOne,
        };
        state.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && !Directory.Exists(result.Tokens[0].Value))
            {
                result.AddError($"--state: directory '{result.Tokens[0].Value}' does not exist");
            }
        });
        var json = new Option<bool>("--json") { Description = "print the findings as one JSON array instead of one line each" };
        var command = new Command("verify", """
            Check a configuration without traffic (docs/verify.md): reachability of local EIDs, RLOCs, VTEPs, GTP-U peers and
            TOF applications, forwarding loops between routes, shadowed traffic rules, applications routed out of the Apps port.
            Exit codes: 0 no error found, 1 an error found, 2 usage or configuration error.
            """)
        {
            config, state, json,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(config) is null)
            {
                result.AddError("--config is required");
            }
        });
        command.SetAction(parse => VerifyCommand.Execute(
            parse.GetRequiredValue(config), parse.GetValue(state), parse.GetValue(json), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }
}
