using System.Text.RegularExpressions;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Tof;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Tof;

/// <summary>The example configurations of docs/configuration/tof.md build the layouts they say, so the doc cannot drift from the parser.</summary>
public sealed partial class TofConfigurationDocTests
{
    [Fact]
    public void Every_example_in_the_tof_doc_builds_its_layout()
    {
        string doc = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "configuration", "tof.md"));
        var examples = JsonBlock().Matches(doc).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(2, examples.Count);

        var separate = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(examples[0])).Feature<TofFeature>()!;
        Assert.False(separate.Settings.SharedS1);
        Assert.NotNull(separate.Settings.Pinger);

        var shared = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(examples[1])).Feature<TofFeature>()!;
        Assert.True(shared.Settings.SharedS1);
        Assert.Equal(2, shared.Settings.EnbAddresses.Count);
        Assert.Single(shared.Services.All);
    }

    [GeneratedRegex("```json\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
