using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;

namespace Dataplane.Tests.FlowExport;

/// <summary>The flowExport section: defaults, and each bad field refused in one line naming it as a JSON path.</summary>
public sealed class FlowExportConfigTests
{
    [Fact]
    public void The_defaults_are_those_the_docs_give()
    {
        var config = DataplaneConfigFile.Parse("""{ "flowExport": { "collector": "192.0.2.50:4739" } }""").FlowExport!;
        config.Validate();
        Assert.Equal(("udp", 60, 15, 600, 1u, 1400), (config.Transport, config.ActiveTimeoutSeconds, config.IdleTimeoutSeconds, config.TemplateRefreshSeconds,
            config.ObservationDomainId, config.MaxMessageBytes));
        Assert.Equal("192.0.2.50:4739", config.CollectorEndPoint().ToString());
        Assert.Equal("[2001:db8::50]:4739", new FlowExportConfig { Collector = "[2001:db8::50]:4739" }.CollectorEndPoint().ToString());
    }

    [Theory]
    [InlineData("""{ }""", "flowExport.collector", "required")]
    [InlineData("""{ "collector": "192.0.2.50" }""", "flowExport.collector", "not address:port")]
    [InlineData("""{ "collector": "collector.example:4739" }""", "flowExport.collector", "not an IPv4 address")]
    [InlineData("""{ "collector": "2001:db8::50:4739" }""", "flowExport.collector", "bracketed")]
    [InlineData("""{ "collector": "192.0.2.50:0" }""", "flowExport.collector", "1..65535")]
    [InlineData("""{ "collector": "192.0.2.50:4739", "transport": "sctp" }""", "flowExport.transport", "only transport")]
    [InlineData("""{ "collector": "192.0.2.50:4739", "activeTimeoutSeconds": 0 }""", "flowExport.activeTimeoutSeconds", "outside 1..86400")]
    [InlineData("""{ "collector": "192.0.2.50:4739", "idleTimeoutSeconds": -1 }""", "flowExport.idleTimeoutSeconds", "outside")]
    [InlineData("""{ "collector": "192.0.2.50:4739", "templateRefreshSeconds": 100000 }""", "flowExport.templateRefreshSeconds", "outside")]
    [InlineData("""{ "collector": "192.0.2.50:4739", "maxMessageBytes": 100 }""", "flowExport.maxMessageBytes", "outside 512..65000")]
    [InlineData("""{ "collector": "192.0.2.50:4739", "enterpriseNumber": 0 }""", "flowExport.enterpriseNumber", "reserved")]
    [InlineData("""{ "collector": "192.0.2.50:4739", "activeTimeout": 5 }""", "flowExport.activeTimeout", "")]
    [InlineData("""{ "collector": "192.0.2.50:4739", "observationDomainId": -1 }""", "flowExport.observationDomainId", "")]
    public void A_bad_field_is_refused_naming_it(string section, string field, string problem)
    {
        var e = Assert.Throws<ConfigurationException>(() =>
            ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse($$"""{ "flowExport": {{section}} }""")));
        Assert.Equal(field, e.Field);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
