using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.GtpU;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.Gtp;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.GtpU;

/// <summary>The "gtpu" section: every field checked, the error names the JSON path of the field at fault.</summary>
public class GtpUConfigurationTests
{
    private const string Tunnel = """{ "name": "t", "localAddress": "192.0.2.1", "peerAddress": "192.0.2.10", "teidIn": 1, "teidOut": 2, "ueAddress": "10.45.0.2" }""";

    private static string Config(string tunnels) => $$"""
        {
          "roles": ["gtpu"],
          "ports": [ { "name": "n3", "mac": "02:00:00:00:03:01", "addresses": ["192.0.2.1", "2001:db8:3::1"] } ],
          "gtpu": { "tunnels": [ {{tunnels}} ] }
        }
        """;

    [Theory]
    [InlineData("""{ "name": "", "localAddress": "192.0.2.1", "peerAddress": "192.0.2.10", "teidIn": 1, "teidOut": 2, "ueAddress": "10.45.0.2" }""", "gtpu.tunnels[0].name", "needs a name")]
    [InlineData("""{ "name": "t", "localAddress": "192.0.2.2", "peerAddress": "192.0.2.10", "teidIn": 1, "teidOut": 2, "ueAddress": "10.45.0.2" }""", "gtpu.tunnels[0].localAddress", "not one of the port addresses")]
    [InlineData("""{ "name": "t", "localAddress": "192.0.2.1", "peerAddress": "192.0.2.300", "teidIn": 1, "teidOut": 2, "ueAddress": "10.45.0.2" }""", "gtpu.tunnels[0].peerAddress", "not an IPv4 or IPv6 address")]
    [InlineData("""{ "name": "t", "localAddress": "192.0.2.1", "peerAddress": "2001:db8:3::10", "teidIn": 1, "teidOut": 2, "ueAddress": "10.45.0.2" }""", "gtpu.tunnels[0].peerAddress", "family")]
    [InlineData("""{ "name": "t", "localAddress": "192.0.2.1", "peerAddress": "192.0.2.10", "teidIn": 0, "teidOut": 2, "ueAddress": "10.45.0.2" }""", "gtpu.tunnels[0].teidIn", "reserved")]
    [InlineData("""{ "name": "t", "localAddress": "192.0.2.1", "peerAddress": "192.0.2.10", "teidIn": 1, "teidOut": 0, "ueAddress": "10.45.0.2" }""", "gtpu.tunnels[0].teidOut", "reserved")]
    [InlineData("""{ "name": "t", "localAddress": "192.0.2.1", "peerAddress": "192.0.2.10", "teidIn": 1, "teidOut": 2, "ueAddress": "10.45.0.1/16" }""", "gtpu.tunnels[0].ueAddress", "not a prefix")]
    [InlineData("""{ "name": "t", "localAddress": "192.0.2.1", "peerAddress": "192.0.2.10", "teidIn": 1, "teidOut": 2, "ueAddress": "[3]10.45.0.0/16" }""", "gtpu.tunnels[0].ueAddress", "instanceId")]
    [InlineData("""{ "name": "t", "localAddress": "192.0.2.1", "peerAddress": "192.0.2.10", "teidIn": 1, "teidOut": 2, "ueAddress": "10.45.0.2", "instanceId": 16777216 }""", "gtpu.tunnels[0].instanceId", "24 bits")]
    [InlineData("""{ "name": "t", "localAddress": "192.0.2.1", "peerAddress": "192.0.2.10", "teidIn": 1, "teidOut": 2, "ueAddress": "10.45.0.2", "qfi": 64 }""", "gtpu.tunnels[0].qfi", "6 bits")]
    [InlineData(Tunnel + """, { "name": "t", "localAddress": "192.0.2.1", "peerAddress": "192.0.2.10", "teidIn": 9, "teidOut": 2, "ueAddress": "10.45.0.9" }""", "gtpu.tunnels[1].name", "already the name")]
    [InlineData(Tunnel + """, { "name": "u", "localAddress": "192.0.2.1", "peerAddress": "192.0.2.10", "teidIn": 1, "teidOut": 3, "ueAddress": "10.45.0.9" }""", "gtpu.tunnels[1].teidIn", "gtpu.tunnels[0] already has")]
    [InlineData(Tunnel + """, { "name": "u", "localAddress": "192.0.2.1", "peerAddress": "192.0.2.10", "teidIn": 5, "teidOut": 3, "ueAddress": "10.45.0.2" }""", "gtpu.tunnels[1].ueAddress", "already serves")]
    public void Bad_tunnels_are_refused_naming_the_field(string tunnels, string field, string problem)
    {
        var config = DataplaneConfigFile.Parse(Config(tunnels));
        var error = Assert.Throws<ConfigurationException>(() => ForwardingPlaneBuilder.Build(config));
        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_gtpu_role_needs_the_section()
    {
        var config = DataplaneConfigFile.Parse("""{ "roles": ["gtpu"], "ports": [ { "name": "n3", "mac": "02:00:00:00:03:01" } ] }""");
        var error = Assert.Throws<ConfigurationException>(() => ForwardingPlaneBuilder.Build(config));
        Assert.Equal("gtpu", error.Field);
    }

    [Fact]
    public void A_missing_required_field_is_named()
    {
        var error = Assert.Throws<ConfigurationException>(() => DataplaneConfigFile.Parse(Config("""{ "name": "t", "localAddress": "192.0.2.1" }""")));
        Assert.StartsWith("gtpu.tunnels[0]", error.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_tunnels_land_in_the_table_with_every_field()
    {
        var config = DataplaneConfigFile.Parse(Config(Tunnel + """
            , { "name": "v6", "localAddress": "2001:db8:3::1", "peerAddress": "2001:db8:3::10", "teidIn": 4294967295, "teidOut": 7, "ueAddress": "2001:db8:45::/64", "instanceId": 9, "qfi": 63 }
            """));
        var plane = ForwardingPlaneBuilder.Build(config);
        var snapshot = plane.Feature<GtpUFeature>()!.Tunnels.Snapshot;

        Assert.Equal(2, snapshot.Count);
        Assert.True(snapshot.TryGet(new GtpUTunnelKey(IpAddress.Parse("2001:db8:3::10"), IpAddress.Parse("2001:db8:3::1"), uint.MaxValue), out var v6));
        Assert.Equal("v6", v6!.Name);
        Assert.Equal(7u, v6.TeidOut);
        Assert.Equal(EidPrefix.Parse("[9]2001:db8:45::/64"), v6.UePrefix);
        Assert.Equal((byte)63, v6.Qfi);
        Assert.True(snapshot.TryGetByUe(0, IpAddress.Parse("10.45.0.2"), out var t));
        Assert.Null(t!.Qfi);
        Assert.Equal(Dataplane.Forwarding.Pipeline.StageOrder.GtpU, plane.Feature<GtpUFeature>()!.Order);
    }
}
