using System.Text.RegularExpressions;
using Dataplane.Control.Verification;
using Dataplane.Forwarding.Configuration;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Verification;

/// <summary>
/// The configurations we ship (packaging/dataplane.json, the golden cases' config.json, the whole configurations in
/// docs/) verify clean, or with exactly the findings docs/verify.md lists for them.
/// </summary>
public sealed partial class VerifyExamplesTests
{
    public static TheoryData<string> Shipped()
    {
        var data = new TheoryData<string> { "packaging/dataplane.json" };
        foreach (string path in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "pcaps", "golden"), "config.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(RepositoryPaths.Root, path));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shipped))]
    public void A_shipped_configuration_verifies_as_documented(string path)
    {
        var findings = ConfigurationVerifier.Verify(DataplaneConfigFile.Load(Path.Combine(RepositoryPaths.Root, path)));

        Assert.Equal(Documented(path), findings.Select(f => f.ToString().Split(':')[0]).ToArray());
    }

    [Fact]
    public void Every_whole_configuration_in_the_docs_verifies_as_documented()
    {
        int checkedCount = 0;
        foreach (string doc in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var blocks = JsonBlock().Matches(File.ReadAllText(doc)).Select(m => m.Groups[1].Value).ToList();
            for (int i = 0; i < blocks.Count; i++)
            {
                IReadOnlyList<VerificationFinding> findings;
                try
                {
                    var config = DataplaneConfigFile.Parse(blocks[i]);
                    if (config.Ports.Count == 0)
                    {
                        continue;
                    }

                    findings = ConfigurationVerifier.Verify(config);
                }
                catch (ConfigurationException)
                {
                    continue; // a fragment (ports without the role's section ...) or a request body, not a whole configuration
                }

                string name = $"{Path.GetRelativePath(RepositoryPaths.Root, doc)}#{i}";
                Assert.True(Documented(name).SequenceEqual(findings.Select(f => f.ToString().Split(':')[0])),
                    $"{name}: {string.Join(" | ", findings)}");
                checkedCount++;
            }
        }

        Assert.True(checkedCount >= 5, $"only {checkedCount} whole configurations found in docs/");
    }

    /// <summary>The findings docs/verify.md lists for an example ("severity code path"), in order; none when it is not listed.</summary>
    private static string[] Documented(string example)
    {
        string doc = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "verify.md"));
        return [.. DocumentedRow().Matches(doc).Where(m => m.Groups[1].Value == example).Select(m => m.Groups[2].Value.Trim())];
    }

    [GeneratedRegex("```json\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    // A row of the shipped-examples table: | `example` | `severity code path` | why |
    [GeneratedRegex(@"^\| `([^`]+)` \| `([^`]+)` \|", RegexOptions.Multiline)]
    private static partial Regex DocumentedRow();
}
