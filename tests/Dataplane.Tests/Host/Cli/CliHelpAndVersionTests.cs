using System.CommandLine;
using System.Text.RegularExpressions;
using Dataplane.Host.Cli;
using Dataplane.Runtime.Build;

namespace Dataplane.Tests.Host.Cli;

/// <summary>--help on every verb, --version, and the bash completion script the program prints.</summary>
public sealed partial class CliHelpAndVersionTests
{
    /// <summary>The options scripts, tests and docs already use: renaming one would break them.</summary>
    public static TheoryData<string, string[]> KnownOptions => new()
    {
        { "replay", ["--config", "--in", "--out", "--punt", "--in-port", "--nonce-seed", "--quiet", "--out-dir", "--drops", "--json", "--expect", "--expect-pcap", "--trace"] },
        { "run", ["--config", "--exit-when-idle", "--duration", "--nonce-seed"] },
        { "ctl", ["--socket", "--json", "--params"] },
        { "verify", ["--config", "--state", "--json"] },
        { "dpdk-forward", ["--config", "--eal", "--device", "--inject", "--idle-ms"] },
        { "dpdk-mbuf-check", ["--eal"] },
        { "dpdk-ring-bench", ["--config", "--frames", "--ingress", "--seconds", "--warmup", "--generator-core"] },
    };

    [Theory]
    [MemberData(nameof(KnownOptions))]
    public void Help_of_a_verb_exits_0_and_names_the_options_scripts_use(string verb, string[] options)
    {
        foreach (string flag in new[] { "--help", "-h" })
        {
            var (code, output, error) = CliRun.InProcess(verb, flag);

            Assert.True(code == 0, $"{verb} {flag}: exit {code}\n{error}");
            Assert.Equal("", error);
            Assert.Matches($@"(?m)^\s+\S+ {Regex.Escape(verb)}\b.*\[options\]$", output); // the usage line
            Assert.All(options, option => Assert.Contains(option, output, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Help_of_every_command_exits_0_and_names_every_option_it_has()
    {
        var pending = new Stack<(string Path, Command Command)>();
        pending.Push(("", DataplaneCli.CreateRoot()));
        int visited = 0;
        while (pending.Count > 0)
        {
            var (path, command) = pending.Pop();
            visited++;
            string[] words = [.. path.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"];
            var (code, output, error) = CliRun.InProcess(words);

            Assert.True(code == 0, $"dataplane {string.Join(' ', words)}: exit {code}\n{error}");
            Assert.All(command.Options.Where(o => !o.Hidden), option => Assert.Contains(option.Name, output, StringComparison.Ordinal));
            foreach (var sub in command.Subcommands)
            {
                pending.Push(($"{path} {sub.Name}".Trim(), sub));
            }
        }

        Assert.True(visited >= 9, $"only {visited} commands: the root, 4 verbs, completion and 3 hidden ones at least");
    }

    [Fact]
    public void Top_level_help_lists_the_verbs_and_hides_the_test_ones()
    {
        var (code, output, _) = CliRun.InProcess("--help");

        Assert.Equal(0, code);
        foreach (string verb in new[] { "inspect", "replay", "run", "ctl", "completion" })
        {
            Assert.Matches($@"(?m)^\s+{verb}\b", output);
        }

        Assert.DoesNotContain("dpdk-", output, StringComparison.Ordinal);
        Assert.Contains("--version", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_prints_the_product_version_and_the_commit_this_checkout_built()
    {
        var (code, output, error) = CliRun.Child(null, "--version");

        Assert.True(code == 0, error);
        var match = VersionLine().Match(output.Trim());
        Assert.True(match.Success, $"not 'dataplane VERSION (commit HEX, .NET X)': {output}");
        Assert.Equal("0.9.0", BuildInfo.Version); // Directory.Build.props' VersionPrefix
        Assert.Equal(BuildInfo.Version, match.Groups["version"].Value);
        string commit = match.Groups["commit"].Value;
        Assert.StartsWith(commit, BuildInfo.Commit, StringComparison.Ordinal);

        var head = Integration.Lab.TryRun(TimeSpan.FromSeconds(10), "git", "-C", AppContext.BaseDirectory, "rev-parse", "HEAD");
        Assert.SkipWhen(head.ExitCode != 0, "not in a git checkout");
        // Built from HEAD, or from a commit HEAD descends from (the tree was committed again after the build).
        bool fromHistory = head.Output.Trim().StartsWith(commit, StringComparison.Ordinal)
            || Integration.Lab.TryRun(TimeSpan.FromSeconds(10), "git", "-C", AppContext.BaseDirectory, "merge-base", "--is-ancestor", BuildInfo.Commit, "HEAD").ExitCode == 0;
        Assert.True(fromHistory, $"commit {commit} is neither HEAD ({head.Output.Trim()}) nor in its history");
    }

    [Fact]
    public void The_bash_completion_script_completes_verbs_and_options_from_the_program()
    {
        Assert.SkipUnless(File.Exists("/bin/bash"), "needs /bin/bash");
        var (code, script, _) = CliRun.InProcess("completion", "bash");
        Assert.Equal(0, code);
        string scratch = Directory.CreateTempSubdirectory("dataplane-completion-").FullName;
        try
        {
            string file = Path.Combine(scratch, "dataplane.bash");
            File.WriteAllText(file, script);
            string Complete(string line) => Integration.Lab.TryRun(TimeSpan.FromSeconds(30), "/bin/bash", "-c",
                $"source {file}; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; read -ra COMP_WORDS <<< \"$COMP_LINE\"; "
                + "[[ \"$COMP_LINE\" == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMP_WORDS[0]=" + CliRun.Program
                + "; _dataplane_complete; printf '%s\\n' \"${COMPREPLY[@]}\"").Output;

            Assert.Equal(["replay"], Lines(Complete("dataplane rep")));
            Assert.Equal(["--nonce-seed"], Lines(Complete("dataplane replay --non")));
            Assert.Equal(["--socket"], Lines(Complete("dataplane ctl --so")));
            Assert.Superset(new HashSet<string> { "inspect", "replay", "run", "ctl", "completion" }, Lines(Complete("dataplane ")).ToHashSet());
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [GeneratedRegex(@"^dataplane (?<version>\d+\.\d+\.\d+\S*) \(commit (?<commit>[0-9a-f]{7,40}), \.NET \d+\.\d+\.\d+.*\)$")]
    private static partial Regex VersionLine();
}
