using System.Text.RegularExpressions;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Documentation;

/// <summary>
/// The repository's Markdown stands alone: every relative link reaches a file of the repository (and a heading of
/// it when it names one), none leaves the repository, and nothing speaks of work items instead of the product.
/// </summary>
public sealed partial class DocumentationLinkTests
{
    [Fact]
    public void EveryRelativeLinkReachesAFileOfTheRepository()
    {
        var broken = new List<string>();
        foreach (string document in MarkdownFiles())
        {
            foreach (var (target, line) in RelativeLinks(document))
            {
                string problem = LinkProblem(document, target);
                if (problem.Length > 0)
                {
                    broken.Add($"{Relative(document)}:{line}: ({target}) {problem}");
                }
            }
        }

        Assert.True(broken.Count == 0, string.Join('\n', broken));
    }

    [Fact]
    public void TheLinkCheckerCatchesAMissingFileAnOutsideFileAndAMissingHeading()
    {
        string readme = Path.Combine(RepositoryPaths.Root, "README.md");
        Assert.Equal("", LinkProblem(readme, "docs/architecture.md#hot-path-habits"));
        Assert.Contains("no such file", LinkProblem(readme, "docs/no-such-page.md"), StringComparison.Ordinal);
        Assert.Contains("outside the repository", LinkProblem(readme, "../shared/DESIGN.md"), StringComparison.Ordinal);
        Assert.Contains("no heading", LinkProblem(readme, "docs/architecture.md#no-such-heading"), StringComparison.Ordinal);
    }

    [Fact]
    public void NoDocumentScriptOrSourceSpeaksOfIssueNumbers()
    {
        var hits = new List<string>();
        foreach (string file in TextFilesToScan())
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (IssueReference().IsMatch(lines[i]))
                {
                    hits.Add($"{Relative(file)}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }

        Assert.True(hits.Count == 0, string.Join('\n', hits));
        Assert.Matches(IssueReference(), "fixed in issue 17");
        Assert.Matches(IssueReference(), "see Issue #4");
        Assert.DoesNotMatch(IssueReference(), "the issues a map-server sees");
    }

    private static string LinkProblem(string document, string target)
    {
        string pathPart = target.Split('#')[0];
        string anchor = target.Contains('#', StringComparison.Ordinal) ? target[(target.IndexOf('#', StringComparison.Ordinal) + 1)..] : "";
        string resolved = pathPart.Length == 0
            ? document
            : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(document)!, Uri.UnescapeDataString(pathPart)));
        string root = RepositoryPaths.Root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (!resolved.StartsWith(root, StringComparison.Ordinal))
        {
            return "points outside the repository";
        }

        if (!File.Exists(resolved) && !Directory.Exists(resolved))
        {
            return "no such file";
        }

        if (anchor.Length > 0 && resolved.EndsWith(".md", StringComparison.Ordinal) && !HeadingSlugs(resolved).Contains(anchor))
        {
            return $"no heading '#{anchor}' in {Relative(resolved)}";
        }

        return "";
    }

    /// <summary>GitHub's heading anchors: lower case, punctuation other than '-' and '_' removed, spaces to '-'.</summary>
    private static HashSet<string> HeadingSlugs(string markdown)
    {
        var slugs = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(markdown))
        {
            var heading = Heading().Match(line);
            if (!heading.Success)
            {
                continue;
            }

            string slug = SlugRemovedCharacters().Replace(heading.Groups[1].Value.Trim().ToLowerInvariant(), "").Replace(' ', '-');
            int count = seen.GetValueOrDefault(slug);
            seen[slug] = count + 1;
            slugs.Add(count == 0 ? slug : $"{slug}-{count}");
        }

        return slugs;
    }

    private static IEnumerable<(string Target, int Line)> RelativeLinks(string document)
    {
        string[] lines = File.ReadAllLines(document);
        bool inFence = false;
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }

            if (inFence)
            {
                continue;
            }

            foreach (Match link in MarkdownLink().Matches(lines[i]))
            {
                string target = link.Groups[1].Value;
                if (!target.Contains("://", StringComparison.Ordinal) && !target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    yield return (target, i + 1);
                }
            }
        }
    }

    private static IEnumerable<string> MarkdownFiles() =>
        SourceTree().Where(file => file.EndsWith(".md", StringComparison.Ordinal));

    private static IEnumerable<string> TextFilesToScan() =>
        SourceTree().Where(file => Path.GetExtension(file) is ".md" or ".cs" or ".py" or ".sh" or ".c" or ".h" or ".json" or ".yml" or ".props" or ".csproj" or ""
            && !file.EndsWith(nameof(DocumentationLinkTests) + ".cs", StringComparison.Ordinal));

    /// <summary>The repository's own files: what git tracks, so build outputs and fetched peers are left out.</summary>
    private static IEnumerable<string> SourceTree()
    {
        string[] skipped = ["bin", "obj", "artifacts", "TestResults", ".git", "node_modules"];
        var pending = new Stack<string>();
        pending.Push(RepositoryPaths.Root);
        while (pending.Count > 0)
        {
            string directory = pending.Pop();
            foreach (string child in Directory.EnumerateDirectories(directory))
            {
                if (!skipped.Contains(Path.GetFileName(child)) && !Path.GetFileName(child).StartsWith('.') || Path.GetFileName(child) == ".ci")
                {
                    pending.Push(child);
                }
            }

            foreach (string file in Directory.EnumerateFiles(directory))
            {
                if (new FileInfo(file).Length < 2_000_000)
                {
                    yield return file;
                }
            }
        }
    }

    private static string Relative(string path) => Path.GetRelativePath(RepositoryPaths.Root, path);

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"^#{1,6}\s+(.*)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{N}\s_-]")]
    private static partial Regex SlugRemovedCharacters();

    [GeneratedRegex(@"\bissues?\s+#?\d+", RegexOptions.IgnoreCase)]
    private static partial Regex IssueReference();
}
