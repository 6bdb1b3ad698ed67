using System.Text.RegularExpressions;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Egress;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Egress;

/// <summary>The example of docs/configuration/egress.md loads as it says, and its limits are the ones the check enforces.</summary>
public sealed partial class EgressDocumentationTests
{
    private static string Doc => File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "configuration", "egress.md"));

    [Fact]
    public void The_example_builds_the_shaped_port_it_describes()
    {
        var example = JsonBlock().Matches(Doc).Select(m => m.Groups[1].Value).Single();
        var config = DataplaneConfigFile.Parse(example);
        ForwardingPlaneBuilder.Build(config);
        var egress = config.Ports[1].Egress!;
        Assert.Equal(1_000_000_000, egress.RateBitsPerSecond);
        Assert.Equal(["mec", "signalling"], egress.Classes.Select(c => c.Name));
        Assert.Equal(310_000_000, egress.Classes.Sum(c => c.GuaranteedBitsPerSecond));
    }

    [Fact]
    public void The_documented_limits_are_the_enforced_ones()
    {
        string doc = Doc;
        Assert.Contains($"{EgressConfigCheck.MinRateBitsPerSecond} .. {EgressConfigCheck.MaxRateBitsPerSecond}", doc);
        Assert.Contains($"{EgressConfigCheck.MinBurstBytes} .. {EgressConfigCheck.MaxBurstBytes}", doc);
        Assert.Contains($"0 .. {EgressConfigCheck.MaxFrameOverheadBytes}", doc);
        Assert.Contains($"at most {EgressConfigCheck.MaxClasses}", doc);
        Assert.Contains($"1 .. {EgressConfigCheck.MaxWeight}", doc);
        Assert.Contains($"1 .. {EgressConfigCheck.MaxQueuePackets}", doc);
        Assert.Contains($"may hold {EgressConfigCheck.MaxQueuePacketsPerPort} packets", doc);
    }

    [GeneratedRegex("```json\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
