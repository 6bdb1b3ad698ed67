using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Tof;
using Dataplane.Forwarding.Tof.Clusters;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tof.Clusters;

/// <summary>tof.services[].applications in the configuration file: read with its defaults, and every bad document refused naming the field.</summary>
public sealed class TofClusterConfigurationTests
{
    private const string Seed = "\"applicationIP\": \"203.0.113.10\"";
    private const string Cluster = "\"applications\": [ { \"ip\": \"203.0.113.10\", \"weight\": 3 }, { \"ip\": \"203.0.113.11\", \"drain\": true } ]";

    private static TofFeature Build(string json) => ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(json)).Feature<TofFeature>()!;

    [Fact]
    public void A_cluster_is_read_with_its_defaults()
    {
        var service = Assert.Single(Build(TofTestPlane.Json().Replace(Seed, Cluster, StringComparison.Ordinal)).Services.All);

        Assert.True(service.IsCluster);
        Assert.Equal(IpAddress.Parse("203.0.113.10"), service.ApplicationIp);
        Assert.Equal(
            [new TofApplication(Ipv4Address.Parse("203.0.113.10"), 3), new TofApplication(Ipv4Address.Parse("203.0.113.11"), 1, Drain: true)],
            service.Applications);
    }

    [Fact]
    public void The_seeds_applicationip_is_a_cluster_of_one()
    {
        var service = Assert.Single(Build(TofTestPlane.Json()).Services.All);

        Assert.False(service.IsCluster);
        Assert.Equal([new TofApplication(Ipv4Address.Parse("203.0.113.10"))], service.Applications);
    }

    [Theory]
    [InlineData(Seed + ", " + Cluster, "tof.services[0].applications")]
    [InlineData("\"applications\": []", "tof.services[0].applications")]
    [InlineData("\"applications\": [ { \"ip\": \"203.0.113.300\" } ]", "tof.services[0].applications[0].ip")]
    [InlineData("\"applications\": [ { \"ip\": \"203.0.113.10\" }, { \"ip\": \"203.0.113.10\" } ]", "tof.services[0].applications[1].ip")]
    [InlineData("\"applications\": [ { \"ip\": \"203.0.113.10\", \"weight\": 0 } ]", "tof.services[0].applications[0].weight")]
    [InlineData("\"applications\": [ { \"ip\": \"203.0.113.10\", \"weight\": 1001 } ]", "tof.services[0].applications[0].weight")]
    [InlineData("\"applications\": [ { \"ip\": \"203.0.113.10\" }, { \"ip\": \"2001:db8:a::10\" } ]", "tof.services[0].applications[1].ip")]
    [InlineData("\"applications\": [ { \"ip\": \"10.200.0.1\" } ]", "tof.services[0].applications[0].ip")]
    [InlineData("\"applications\": [ { \"ip\": \"224.0.0.5\" } ]", "tof.services[0].applications[0].ip")]
    public void A_bad_cluster_is_refused_naming_the_field(string bad, string field)
    {
        var error = Assert.Throws<ConfigurationException>(() => Build(TofTestPlane.Json().Replace(Seed, bad, StringComparison.Ordinal)));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Neither_applicationip_nor_applications_is_refused()
    {
        var error = Assert.Throws<ConfigurationException>(() => Build(TofTestPlane.Json().Replace(", " + Seed, "", StringComparison.Ordinal)));
        Assert.Equal("tof.services[0].applicationIP", error.Field);
    }

    [Fact]
    public void More_than_64_instances_are_refused()
    {
        string many = "\"applications\": [" + string.Join(", ", Enumerable.Range(1, 65).Select(i => $"{{ \"ip\": \"203.0.114.{i}\" }}")) + "]";
        var error = Assert.Throws<ConfigurationException>(() => Build(TofTestPlane.Json().Replace(Seed, many, StringComparison.Ordinal)));
        Assert.Equal("tof.services[0].applications", error.Field);
        Assert.Contains("at most 64", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_application_of_two_services_is_refused()
    {
        string two = TofTestPlane.Json(ipv6: false).Replace(
            "{ \"name\": \"video\", \"serviceIP\": \"10.200.0.1\", " + Seed + " }",
            "{ \"name\": \"video\", \"serviceIP\": \"10.200.0.1\", " + Cluster + " }, { \"name\": \"game\", \"serviceIP\": \"10.200.0.2\", \"applicationIP\": \"203.0.113.11\" }",
            StringComparison.Ordinal);
        var error = Assert.Throws<ConfigurationException>(() => Build(two));
        Assert.Equal("tof.services[1].applicationIP", error.Field);
        Assert.Contains("tof.services[0]", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_instance_field_is_refused()
    {
        var error = Assert.ThrowsAny<Exception>(() => Build(TofTestPlane.Json().Replace(Seed, "\"applications\": [ { \"ip\": \"203.0.113.10\", \"wieght\": 2 } ]", StringComparison.Ordinal)));
        Assert.Contains("wieght", error.Message, StringComparison.Ordinal);
    }
}
