using System.Text.RegularExpressions;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Lisp;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Lisp;

/// <summary>The example configurations in docs/configuration/lisp.md build, and give the ITR/PITR what they say.</summary>
public sealed partial class LispConfigurationDocTests
{
    [Fact]
    public void Every_example_in_the_lisp_doc_builds_an_encapsulating_plane()
    {
        string doc = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "configuration", "lisp.md"));
        var examples = JsonBlock().Matches(doc).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(2, examples.Count);

        var itr = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(examples[0])).Feature<LispEncapsulationFeature>()!;
        Assert.True(itr.IsItr);
        Assert.False(itr.Settings.ChooseBySourcePort);
        Assert.True(itr.Settings.IcmpWhenOverMtu);
        Assert.Equal(4, itr.Tables.MapCache.Count);

        var pitr = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(examples[1])).Feature<LispEncapsulationFeature>()!;
        Assert.True(pitr.IsPitr);
        Assert.False(pitr.Settings.IcmpWhenOverMtu);
        Assert.Equal(100, pitr.Settings.IcmpRateLimitPerSecond);
    }

    [GeneratedRegex("```json\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
