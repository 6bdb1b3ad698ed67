using System.Text.RegularExpressions;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Lisp;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Lisp;

/// <summary>The example configurations of docs/configuration/lisp-etr.md build a plane with a decapsulation stage, so the documentation cannot drift from the parser.</summary>
public sealed partial class LispEtrDocumentationTests
{
    [Fact]
    public void Every_example_in_the_etr_documentation_builds_a_decapsulating_plane()
    {
        string text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "configuration", "lisp-etr.md"));
        var examples = JsonBlock().Matches(text).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(3, examples.Count); // etr, petr, rtr
        foreach (string json in examples)
        {
            var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(json));
            Assert.NotNull(plane.Feature<LispDecapsulationFeature>());
        }
    }

    [GeneratedRegex("```json\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
