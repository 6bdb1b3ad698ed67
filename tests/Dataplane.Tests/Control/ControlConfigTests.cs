using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;

namespace Dataplane.Tests.Control;

/// <summary>The "control" section: each bad field is refused with its name.</summary>
public sealed class ControlConfigTests
{
    [Theory]
    [InlineData("{\"socket\":\"\"}", "control.socket", "an empty path")]
    [InlineData("{\"stateDirectory\":\"\"}", "control.stateDirectory", "an empty path")]
    [InlineData("{\"metricsAddress\":\"9100\"}", "control.metricsAddress", "is not host:port")]
    [InlineData("{\"metricsAddress\":\"127.0.0.1:70000\"}", "control.metricsAddress", "'70000' is not a port")]
    [InlineData("{\"restAddress\":\"8080\"}", "control.restAddress", "is not host:port")]
    [InlineData("{\"restAddress\":\"127.0.0.1:8080\"}", "control.restToken", "the REST API needs a token")]
    [InlineData("{\"restAddress\":\"127.0.0.1:8080\",\"restToken\":\"short\"}", "control.restToken", "use at least 16")]
    [InlineData("{\"restAddress\":\"127.0.0.1:8080\",\"restToken\":\"0123456789abcdef 0\"}", "control.restToken", "whitespace")]
    [InlineData("{\"restAddress\":\"127.0.0.1:8080\",\"restToken\":\"0123456789abcdef\",\"restTokenFile\":\"/t\"}", "control.restTokenFile", "not both")]
    [InlineData("{\"restToken\":\"0123456789abcdef\"}", "control.restToken", "has no effect without control.restAddress")]
    [InlineData("{\"restAddress\":\"127.0.0.1:8080\",\"restTokenFile\":\"\"}", "control.restTokenFile", "an empty path")]
    [InlineData("{\"socket\":7}", "control.socket", "")]
    [InlineData("{\"sockett\":\"/tmp/x\"}", "control.sockett", "")]
    public void A_bad_control_field_is_named(string section, string field, string problem)
    {
        var json = ControlTestConfig.Json();
        json["control"] = System.Text.Json.Nodes.JsonNode.Parse(section);

        var error = Assert.Throws<ConfigurationException>(() => ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(json.ToJsonString())));

        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_socket_path_is_refused()
    {
        var config = ControlTestConfig.Config() with { Control = new ControlConfig { Socket = "/tmp/" + new string('s', 120) } };

        var error = Assert.Throws<ConfigurationException>(() => ForwardingPlaneBuilder.Build(config));

        Assert.Equal("control.socket", error.Field);
    }

    [Fact]
    public void Defaults_are_off()
    {
        var control = new ControlConfig();

        Assert.Null(control.Socket);
        Assert.Null(control.StateDirectory);
        Assert.Null(control.MetricsAddress);
        Assert.Equal(("::1", 9100), ControlConfig.ParseMetricsAddress("[::1]:9100"));
    }
}
