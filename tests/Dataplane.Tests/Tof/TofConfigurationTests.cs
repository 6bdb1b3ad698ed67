using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Tof;

namespace Dataplane.Tests.Tof;

public class TofConfigurationTests
{
    [Fact]
    public void The_separate_port_layout_reads_ports_services_and_defaults()
    {
        var tof = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(TofTestPlane.Json())).Feature<TofFeature>()!;
        Assert.False(tof.Settings.SharedS1);
        Assert.Equal((ushort)0, tof.Settings.EnbPort);
        Assert.Equal((ushort)1, tof.Settings.SgwPort);
        Assert.Equal((ushort)2, tof.Settings.AppsPort);
        Assert.Equal("video", Assert.Single(tof.Services.All).Name);
        Assert.Null(tof.Settings.Pinger);
    }

    [Fact]
    public void The_pinger_section_gets_its_defaults()
    {
        var tof = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(TofTestPlane.Json(""", "pinger": { "pdnAddress": "192.0.2.200" }"""))).Feature<TofFeature>()!;
        Assert.Equal(new TofPingerSettings(Dataplane.Wire.Addresses.Ipv4Address.Parse("192.0.2.200"), 1000, 5), tof.Settings.Pinger);
    }

    [Theory]
    [InlineData("\"enbPort\": \"enb\", \"sgwPort\": \"sgw\"", "\"enbPort\": \"enb\", \"sgwPort\": \"enb\"", "tof.sgwPort")]
    [InlineData("\"enbPort\": \"enb\", \"sgwPort\": \"sgw\"", "\"s1Port\": \"enb\"", "tof.enbAddresses")]
    [InlineData("\"enbPort\": \"enb\", \"sgwPort\": \"sgw\"", "\"s1Port\": \"enb\", \"enbAddresses\": [\"192.0.2.10\"]", "tof.sgwAddresses")]
    [InlineData("\"enbPort\": \"enb\", \"sgwPort\": \"sgw\"", "\"enbPort\": \"enb\", \"sgwPort\": \"nope\"", "tof.sgwPort")]
    [InlineData("\"appsPort\": \"apps\"", "\"appsPort\": \"sgw\"", "tof.appsPort")]
    [InlineData("\"idleTimeoutSeconds\": 60", "\"idleTimeoutSeconds\": 0", "tof.idleTimeoutSeconds")]
    [InlineData("\"serviceIP\": \"10.200.0.1\"", "\"serviceIP\": \"10.200.0\"", "tof.services[0].serviceIP")]
    [InlineData("\"applicationIP\": \"203.0.113.10\"", "\"applicationIP\": \"10.200.0.1\"", "tof.services[0].applicationIP")]
    public void A_bad_field_is_named(string good, string bad, string field)
    {
        string json = TofTestPlane.Json();
        Assert.Contains(good, json, StringComparison.Ordinal);
        var error = Assert.Throws<ConfigurationException>(() => ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(json.Replace(good, bad, StringComparison.Ordinal))));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void The_tof_role_needs_its_section()
    {
        var error = Assert.Throws<ConfigurationException>(() => ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(
            """{ "roles": ["tof"], "ports": [ { "name": "p", "mac": "02:00:00:00:00:01" } ] }""")));
        Assert.Equal("tof", error.Field);
    }
}
