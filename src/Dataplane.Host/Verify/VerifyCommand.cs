using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Control.Verification;
using Dataplane.Forwarding.Configuration;
using Dataplane.Host.Cli;

namespace Dataplane.Host.Verify;

/// <summary>
/// <c>dataplane verify</c>: loads the configuration as <c>dataplane run</c> does (a configuration it refuses is the same
/// one-line error and exit 2), overlays <c>--state</c> read-only, runs <see cref="ConfigurationVerifier"/> and prints one
/// line per finding (or, with <c>--json</c>, one array) and a summary line on stderr. Exit 1 when an error was found.
/// </summary>
public static class VerifyCommand
{
    // Messages quote port names ('apps'): written as they are, not as \u0027.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static int Execute(string configPath, string? stateDirectory, bool json, TextWriter output, TextWriter error)
    {
        IReadOnlyList<VerificationFinding> findings;
        try
        {
            var config = DataplaneConfigFile.Load(configPath);
            findings = ConfigurationVerifier.Verify(config, stateDirectory);
        }
        catch (ConfigurationException e)
        {
            error.WriteLine($"dataplane verify: {configPath}: {e.Message}");
            return DataplaneCli.UsageError;
        }

        if (json)
        {
            var array = new JsonArray(findings.Select(f => (JsonNode)new JsonObject
            {
                ["severity"] = f.SeverityName,
                ["code"] = f.Code,
                ["path"] = f.Path,
                ["message"] = f.Message,
            }).ToArray());
            output.WriteLine(array.ToJsonString(Indented));
        }
        else
        {
            foreach (var finding in findings)
            {
                output.WriteLine(finding.ToString());
            }
        }

        int errors = findings.Count(f => f.Severity == FindingSeverity.Error);
        int warnings = findings.Count - errors;
        error.WriteLine($"dataplane verify: {configPath}{(stateDirectory is null ? "" : $" with state {stateDirectory}")}: {errors} error(s), {warnings} warning(s)");
        return errors > 0 ? DataplaneCli.BadInput : DataplaneCli.Success;
    }
}
