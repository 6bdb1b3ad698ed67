using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Control;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;

namespace Dataplane.Tests.Control.Http;

/// <summary>
/// An HTTP endpoint that cannot listen stops the daemon with one line naming the setting and the address (exit 2),
/// never a stack trace: a port another socket holds, an address that is not this host's.
/// </summary>
public sealed class ListenErrorTests
{
    private static readonly string Dataplane = Path.Combine(AppContext.BaseDirectory, "dataplane");

    [Theory]
    [InlineData("metricsAddress", "control.metricsAddress")]
    [InlineData("restAddress", "control.restAddress")]
    public void A_port_in_use_is_a_configuration_error_naming_the_setting_and_the_address(string field, string setting)
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        string address = $"127.0.0.1:{((IPEndPoint)holder.LocalEndpoint).Port}";
        using var host = ControlHost.Create(Control(field, address), ForwardingPlaneBuilder.Build(ControlTestConfig.Config()), _ => { });

        var error = Assert.Throws<ConfigurationException>(() => host.Start(null));

        Assert.Equal(setting, error.Field);
        Assert.Equal($"cannot listen on {address}: Address already in use", error.Problem);
    }

    [Fact]
    public void An_address_not_of_this_host_is_a_configuration_error()
    {
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never an address of this machine.
        using var host = ControlHost.Create(Control("metricsAddress", "192.0.2.1:9100"), ForwardingPlaneBuilder.Build(ControlTestConfig.Config()), _ => { });

        var error = Assert.Throws<ConfigurationException>(() => host.Start(null));

        Assert.Equal("control.metricsAddress", error.Field);
        Assert.Equal("cannot listen on 192.0.2.1:9100: Cannot assign requested address", error.Problem);
    }

    [Fact]
    public void The_daemon_exits_2_with_one_line_when_the_rest_port_is_in_use()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        int port = ((IPEndPoint)holder.LocalEndpoint).Port;
        string scratch = Directory.CreateTempSubdirectory("dataplane-listen-").FullName;
        try
        {
            string config = WriteConfig(scratch, new JsonObject { ["restAddress"] = $"127.0.0.1:{port}", ["restToken"] = "0123456789abcdef0123" });

            var (code, _, error) = TestCertificate.Run(Dataplane, "run", "--config", config, "--duration", "5");

            Assert.Equal(2, code);
            string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(lines, line => line.Contains($"control.restAddress: cannot listen on 127.0.0.1:{port}: Address already in use", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [Fact]
    public void The_daemon_exits_2_naming_the_tls_field_when_the_certificate_is_missing()
    {
        string scratch = Directory.CreateTempSubdirectory("dataplane-listen-").FullName;
        try
        {
            string missing = Path.Combine(scratch, "cert.pem");
            string config = WriteConfig(scratch, new JsonObject
            {
                ["metricsAddress"] = "127.0.0.1:19100", // never bound: the configuration is refused first
                ["metricsTls"] = new JsonObject { ["certificate"] = missing, ["key"] = Path.Combine(scratch, "key.pem") },
            });

            var (code, _, error) = TestCertificate.Run(Dataplane, "run", "--config", config, "--duration", "5");

            Assert.Equal(2, code);
            Assert.Contains($"control.metricsTls.certificate: cannot read {missing}", error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static ControlConfig Control(string field, string address) => field == "metricsAddress"
        ? new ControlConfig { MetricsAddress = address }
        : new ControlConfig { RestAddress = address, RestToken = "0123456789abcdef0123" };

    /// <summary>The test configuration with pcap ports that only transmit (the daemon idles) and this control section.</summary>
    private static string WriteConfig(string directory, JsonObject control)
    {
        var config = ControlTestConfig.Json();
        var ports = config["ports"]!.AsArray();
        for (int i = 0; i < ports.Count; i++)
        {
            ports[i]!["driver"] = "pcap";
            ports[i]!["txPcap"] = Path.Combine(directory, $"tx{i}.pcap");
        }

        config["control"] = control;
        string path = Path.Combine(directory, "config.json");
        File.WriteAllText(path, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }
}
