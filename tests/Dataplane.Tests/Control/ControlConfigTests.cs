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
