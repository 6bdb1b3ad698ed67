using System.Text.RegularExpressions;
using Dataplane.Tests.Oracles;
using Dataplane.Tests.Packaging;

namespace Dataplane.Tests.Documentation;

/// <summary>
/// The README's quick start shows what `dataplane replay` prints with no arguments; the program must print exactly
/// that (apart from the elapsed time), so a change of the example or of the report cannot leave the README behind.
/// </summary>
public sealed partial class ReadmeQuickStartTests
{
    [Fact]
    public void TheReadmeShowsWhatTheEmbeddedReplayPrints()
    {
        string shown = QuickStartOutput(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md")));
        string directory = Directory.CreateTempSubdirectory("dataplane-readme-").FullName;
        try
        {
            var run = ProgramRun.Run(TimeSpan.FromSeconds(120), [Path.Combine(AppContext.BaseDirectory, "dataplane"), "replay"],
                workingDirectory: directory);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(WithoutElapsedTime(shown), WithoutElapsedTime(run.Output.TrimEnd()));

            // The files the last lines name are where they say, and hold what they say.
            Assert.True(File.Exists(Path.Combine(directory, "quickstart-xtr.out.pcapng")), run.ToString());
            Assert.True(File.Exists(Path.Combine(directory, "quickstart-xtr.punt.pcapng")), run.ToString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void TheComparisonSeesAChangedCounter()
    {
        const string Readme = "run:\n\n```sh\nscripts/dataplane replay\n```\n\nIt prints:\n\n```\nreplayed x in 1.0 ms\nreceived 17\n```\n";
        Assert.Equal("replayed x in 1.0 ms\nreceived 17", QuickStartOutput(Readme));
        Assert.NotEqual(WithoutElapsedTime("replayed x in 1.0 ms\nreceived 17"), WithoutElapsedTime("replayed x in 9.5 ms\nreceived 16"));
        Assert.Equal(WithoutElapsedTime("replayed x in 1.0 ms"), WithoutElapsedTime("replayed x in 22.9 ms"));
    }

    /// <summary>The first fenced block without a language after the quick start's commands: the program's output.</summary>
    private static string QuickStartOutput(string readme)
    {
        var block = OutputBlock().Match(readme);
        Assert.True(block.Success, "the README has no output block (a fence without a language) after `scripts/dataplane replay`");
        return block.Groups[1].Value.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd();
    }

    private static string WithoutElapsedTime(string report) => ElapsedTime().Replace(report, "in N ms");

    [GeneratedRegex(@"scripts/dataplane replay[^`]*```.*?\n```\n(.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex OutputBlock();

    [GeneratedRegex(@"in \d+(\.\d+)? ms")]
    private static partial Regex ElapsedTime();
}
