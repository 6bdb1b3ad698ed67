using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Tof;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tof;

/// <summary>The "tof" section with IPv6 addresses: what is read, and each refusal naming its field.</summary>
public class TofIpv6ConfigurationTests
{
    [Fact]
    public void Ipv6_services_eNB_and_SGW_addresses_and_an_ipv6_pdn_address_are_read()
    {
        string json = TofTestPlane.Json(""", "pinger": { "pdnAddress": "192.0.2.200", "pdnAddress6": "2001:db8:53::1" }""", ipv6: true)
            .Replace("\"enbPort\": \"enb\", \"sgwPort\": \"sgw\"",
                "\"s1Port\": \"enb\", \"enbAddresses\": [\"192.0.2.10\", \"2001:db8:e::10\"], \"sgwAddresses\": [\"2001:db8:5::20\"]", StringComparison.Ordinal);
        var tof = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(json)).Feature<TofFeature>()!;

        Assert.True(tof.Settings.SharedS1);
        Assert.Equal([Ipv4Address.Parse("192.0.2.10")], tof.Settings.EnbAddresses);
        Assert.Equal([Ipv6Address.Parse("2001:db8:e::10")], tof.Settings.EnbAddresses6);
        Assert.Empty(tof.Settings.SgwAddresses);
        Assert.Equal([Ipv6Address.Parse("2001:db8:5::20")], tof.Settings.SgwAddresses6);
        Assert.Equal(new TofService("video6", Ipv6Address.Parse("2001:db8:100::1"), Ipv6Address.Parse("2001:db8:a::10")), tof.Services.ByServiceIpv6.Single().Value);
        Assert.Equal(IpAddress.Parse("2001:db8:53::1"), tof.Settings.Pinger!.PdnFor(IpFamily.V6));
        Assert.Equal(IpAddress.Parse("192.0.2.200"), tof.Settings.Pinger.PdnFor(IpFamily.V4));
        Assert.Equal(tof.Settings.TunnelCapacity, tof.Tunnels6.Capacity);
        Assert.Equal(tof.Settings.FlowCapacity, tof.Flows6.Capacity);
    }

    [Fact]
    public void An_ipv6_pdn_address_alone_probes_ipv6_ues_only()
    {
        var pinger = TofPingerSettings.Read(new TofPingerConfig { PdnAddress = "2001:db8:53::1" });
        Assert.Equal(IpAddress.Parse("2001:db8:53::1"), pinger.PdnFor(IpFamily.V6));
        Assert.Null(pinger.PdnFor(IpFamily.V4));
    }

    [Theory]
    [InlineData("\"applicationIP\": \"2001:db8:a::10\"", "\"applicationIP\": \"203.0.113.10\"", "tof.services[1].applicationIP")] // IPv6 service, IPv4 application
    [InlineData("\"serviceIP\": \"2001:db8:100::1\"", "\"serviceIP\": \"ff05::1\"", "tof.services[1].serviceIP")]
    [InlineData("\"applicationIP\": \"2001:db8:a::10\"", "\"applicationIP\": \"fe80::10\"", "tof.services[1].applicationIP")]
    [InlineData("\"applicationIP\": \"2001:db8:a::10\"", "\"applicationIP\": \"2001:db8:100:0::1\"", "tof.services[1].applicationIP")] // the serviceIP again
    [InlineData("\"idleTimeoutSeconds\": 60", "\"idleTimeoutSeconds\": 60, \"pinger\": { \"pdnAddress\": \"192.0.2.200\", \"pdnAddress6\": \"192.0.2.201\" }", "tof.pinger.pdnAddress6")]
    [InlineData("\"idleTimeoutSeconds\": 60", "\"idleTimeoutSeconds\": 60, \"pinger\": { \"pdnAddress\": \"::1\" }", "tof.pinger.pdnAddress")]
    [InlineData("\"enbPort\": \"enb\", \"sgwPort\": \"sgw\"", "\"s1Port\": \"enb\", \"enbAddresses\": [\"2001:db8:e::10\"], \"sgwAddresses\": [\"2001:db8:e::10\"]", "tof.sgwAddresses")]
    public void A_bad_ipv6_field_is_named(string good, string bad, string field)
    {
        string json = TofTestPlane.Json(ipv6: true);
        Assert.Contains(good, json, StringComparison.Ordinal);
        var error = Assert.Throws<ConfigurationException>(() => ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(json.Replace(good, bad, StringComparison.Ordinal))));
        Assert.Equal(field, error.Field);
    }
}
