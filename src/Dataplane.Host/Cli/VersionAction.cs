using System.CommandLine;
using System.CommandLine.Invocation;
using Dataplane.Runtime.Build;

namespace Dataplane.Host.Cli;

/// <summary><c>dataplane --version</c>: the product version, the commit it was built from and the runtime it runs on.</summary>
public sealed class VersionAction : SynchronousCommandLineAction
{
    /// <summary>Characters of the commit id shown, as <c>git log --oneline</c> would abbreviate it at most.</summary>
    public const int CommitDigits = 12;

    public static string Text =>
        $"dataplane {BuildInfo.Version} (commit {(BuildInfo.Commit.Length > CommitDigits ? BuildInfo.Commit[..CommitDigits] : BuildInfo.Commit)}, {BuildInfo.Runtime})";

    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine(Text);
        return DataplaneCli.Success;
    }
}
