using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Nsh;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Nsh;

/// <summary>The "nsh" section: the documented example builds, and every bad field is refused naming its JSON path.</summary>
public sealed partial class NshConfigurationTests
{
    [Fact]
    public void The_example_in_the_nsh_doc_builds_its_paths()
    {
        string doc = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "configuration", "nsh.md"));
        var examples = JsonBlock().Matches(doc).Select(m => m.Groups[1].Value).ToList();
        Assert.Single(examples);
        var feature = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(examples[0])).Feature<NshFeature>()!;
        var tables = feature.Tables;
        Assert.Equal([10u, 20u], tables.Paths.Keys.Order());
        Assert.Equal(["fw1", "dpi1"], tables.Paths[10].Hops.Select(h => h.Name));
        Assert.Equal("192.0.2.1", tables.Functions["fw1"].Source.ToString()); // the first port address of its family
        Assert.True(tables.Functions["dpi1"].IsEthernet);
        Assert.Equal(1, tables.MdType);
    }

    [Fact]
    public void Without_an_nsh_section_there_is_no_nsh_stage()
    {
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(WithoutNsh()));
        Assert.Null(plane.Feature<NshFeature>());
        Assert.DoesNotContain(plane.CreateWorker().Stages, s => s.Name == "nsh");
    }

    [Theory]
    [InlineData("nsh.mdType", "\"mdType\": 3")]
    [InlineData("nsh.underlayTtl", "\"underlayTtl\": 0")]
    [InlineData("nsh.localAddress", "\"localAddress\": \"192.0.2.99\"")]
    public void A_bad_section_field_is_named(string field, string member)
    {
        var error = Refused(json => json["nsh"]!.AsObject().Add(member.Split(':')[0].Trim('"', ' '), JsonNode.Parse(member.Split(':', 2)[1])));
        Assert.Equal(field, error.Field);
    }

    [Theory]
    [InlineData("nsh.serviceFunctions[1].name", "name", "\"fw1\"")] // a duplicate
    [InlineData("nsh.serviceFunctions[1].name", "name", "\"bad name\"")]
    [InlineData("nsh.serviceFunctions[1].transport", "transport", "\"gre\"")]
    [InlineData("nsh.serviceFunctions[1].port", "port", "\"nowhere\"")]
    [InlineData("nsh.serviceFunctions[1].mac", "mac", "\"02:00:00\"")]
    [InlineData("nsh.serviceFunctions[1].address", "address", "\"198.51.100.9\"")] // an ethernet function has no address
    public void A_bad_function_field_is_named(string field, string member, string value)
    {
        var error = Refused(json => json["nsh"]!["serviceFunctions"]![1]![member] = JsonNode.Parse(value));
        Assert.Equal(field, error.Field);
    }

    [Theory]
    [InlineData("nsh.serviceFunctions[0].address", "address", "\"192.0.2.1\"")] // our own
    [InlineData("nsh.serviceFunctions[0].address", "address", "\"2001:db8::9\"")] // no IPv6 port address to send from
    [InlineData("nsh.serviceFunctions[0].vni", "vni", "16777216")]
    [InlineData("nsh.serviceFunctions[0].mac", "mac", "\"02:00:00:00:00:09\"")] // a GPE function has no MAC
    public void A_bad_gpe_function_field_is_named(string field, string member, string value)
    {
        var error = Refused(json => json["nsh"]!["serviceFunctions"]![0]![member] = JsonNode.Parse(value));
        Assert.Equal(field, error.Field);
    }

    [Theory]
    [InlineData("nsh.servicePaths[1].spi", "spi", "10")] // a duplicate
    [InlineData("nsh.servicePaths[1].spi", "spi", "0")]
    [InlineData("nsh.servicePaths[1].spi", "spi", "16777216")]
    [InlineData("nsh.servicePaths[1].hops", "hops", "[]")]
    [InlineData("nsh.servicePaths[1].hops[1]", "hops", "[\"fw1\", \"dpi9\"]")]
    [InlineData("nsh.servicePaths[1].end", "end", "\"loop\"")]
    public void A_bad_path_field_is_named(string field, string member, string value)
    {
        var error = Refused(json => json["nsh"]!["servicePaths"]![1]![member] = JsonNode.Parse(value));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void A_path_of_256_hops_is_refused_and_255_are_not()
    {
        var hops = new JsonArray(Enumerable.Repeat((JsonNode?)"fw1", 255).Select(h => h?.DeepClone()).ToArray());
        var json = JsonNode.Parse(Example())!;
        json["nsh"]!["servicePaths"]![1]!["hops"] = hops;
        Assert.Equal(255, ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(json.ToJsonString())).Feature<NshFeature>()!.Tables.Paths[20].Hops.Length);
        var error = Refused(j => j["nsh"]!["servicePaths"]![1]!["hops"] = new JsonArray(Enumerable.Repeat(0, 256).Select(_ => (JsonNode?)"fw1").ToArray()));
        Assert.Equal("nsh.servicePaths[1].hops", error.Field);
    }

    private static ConfigurationException Refused(Action<JsonNode> change)
    {
        var json = JsonNode.Parse(Example())!;
        change(json);
        return Assert.Throws<ConfigurationException>(() => ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(json.ToJsonString())));
    }

    private static string WithoutNsh()
    {
        var json = JsonNode.Parse(Example())!.AsObject();
        json.Remove("nsh");
        return json.ToJsonString();
    }

    internal static string Example()
    {
        string doc = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "configuration", "nsh.md"));
        return JsonBlock().Match(doc).Groups[1].Value;
    }

    [GeneratedRegex("```json\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
