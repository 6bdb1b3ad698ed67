using System.Text.Json.Nodes;
using Dataplane.Tests.Host.Cli;

namespace Dataplane.Tests.Verification;

/// <summary>
/// The verb: exit 0 with nothing found, 1 with an error found (one line per finding on stdout, or one JSON array),
/// 2 for a command line or a configuration it cannot use, in one line; a configuration is refused in the same words
/// <c>dataplane run</c> refuses it.
/// </summary>
public sealed class VerifyCliTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("dpv-cli-").FullName;

    private string Write(string name, JsonObject config)
    {
        string path = Path.Combine(scratch, name);
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    [Fact]
    public void A_configuration_that_holds_exits_0_with_nothing_on_stdout_and_a_summary_on_stderr()
    {
        string path = Write("good.json", VerifyConfigs.Xtr());

        var (exit, output, error) = CliRun.InProcess("verify", "--config", path);

        Assert.Equal(0, exit);
        Assert.Equal("", output);
        Assert.Equal($"dataplane verify: {path}: 0 error(s), 0 warning(s)", error.Trim());
    }

    [Fact]
    public void An_error_found_exits_1_with_one_line_per_finding()
    {
        var config = VerifyConfigs.Xtr();
        config["lisp"]!["localEids"]!.AsArray().Add("[7]10.8.0.0/24");
        config["neighbours"] = new JsonArray(); // and a warning: the gateway is found by ARP
        string path = Write("bad.json", config);

        var (exit, output, error) = CliRun.InProcess("verify", "--config", path);

        Assert.Equal(1, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("error unreachable-eid lisp.localEids[1]: local EID [7]10.8.0.0/24 has no route in instance 7", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("warning neighbour-by-arp routes[0]: ", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("1 error(s), 1 warning(s)", error.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_alone_exit_0()
    {
        var config = VerifyConfigs.Xtr();
        config["neighbours"] = new JsonArray();

        var (exit, output, _) = CliRun.InProcess("verify", "--config", Write("warn.json", config));

        Assert.Equal(0, exit);
        Assert.StartsWith("warning neighbour-by-arp routes[0]:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_is_one_array_of_severity_code_path_and_message()
    {
        var config = VerifyConfigs.Tof();
        config["routes"]![0]!["port"] = "sgw";
        config["neighbours"]![0]!["port"] = "sgw";

        var (exit, output, _) = CliRun.InProcess("verify", "--config", Write("tof.json", config), "--json");

        Assert.Equal(1, exit);
        var finding = Assert.Single(JsonNode.Parse(output)!.AsArray())!.AsObject();
        Assert.Equal(["severity", "code", "path", "message"], finding.Select(p => p.Key).ToArray());
        Assert.Equal(("error", "app-not-via-apps-port", "tof.services[0]"), (finding["severity"]!.GetValue<string>(), finding["code"]!.GetValue<string>(), finding["path"]!.GetValue<string>()));
        Assert.Contains("'sgw'", finding["message"]!.GetValue<string>(), StringComparison.Ordinal); // quotes as they are, not \u0027
        Assert.Contains("'sgw'", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configuration_run_refuses_is_refused_in_the_same_words_with_exit_2()
    {
        var config = VerifyConfigs.Xtr();
        config["routes"]![1]!["port"] = "nosuch";
        string path = Write("refused.json", config);

        var (exit, output, error) = CliRun.InProcess("verify", "--config", path);
        var (runExit, _, runError) = CliRun.Child(null, "run", "--config", path);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        CliRun.AssertOneLineProblem(error, "configuration error at routes[1].port: no port named 'nosuch'", "verify");
        Assert.Equal(2, runExit);
        string problem = error.Trim()[(error.IndexOf("configuration error", StringComparison.Ordinal))..];
        Assert.Contains(problem, runError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("verify", "--config is required")]
    [InlineData("verify --config", "--config needs a value")]
    [InlineData("verify --config {dir}/none.json", "{dir}/none.json")]
    [InlineData("verify --config {dir}/garbage.json", "{dir}/garbage.json")]
    [InlineData("verify --config {dir}/good.json --state {dir}/no-such-dir", "--state: directory '{dir}/no-such-dir' does not exist")]
    [InlineData("verify --config {dir}/good.json --bogus", "unknown option '--bogus'")]
    [InlineData("verify --config {dir}/good.json extra", "unexpected argument 'extra'")]
    public void Bad_arguments_are_one_line_and_exit_2(string command, string expected)
    {
        File.WriteAllText(Path.Combine(scratch, "good.json"), VerifyConfigs.Xtr().ToJsonString());
        File.WriteAllText(Path.Combine(scratch, "garbage.json"), "{ this is not json");
        string[] arguments = command.Replace("{dir}", scratch, StringComparison.Ordinal).Split(' ');

        var (exit, output, error) = CliRun.InProcess(arguments);

        Assert.True(exit == 2, $"{command}: exit {exit}\n{output}{error}");
        CliRun.AssertOneLineProblem(error, expected.Replace("{dir}", scratch, StringComparison.Ordinal), command);
    }

    [Fact]
    public void Help_names_the_options_and_the_exit_codes()
    {
        var (exit, output, error) = CliRun.InProcess("verify", "--help");

        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.All(new[] { "--config", "--state", "--json", "Exit codes: 0 no error found, 1 an error found, 2 usage or configuration error" },
            text => Assert.Contains(text, output, StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(scratch, recursive: true);
}
