using Dataplane.Control.Verification;

namespace Dataplane.Tests.Verification;

/// <summary>Every TOF application address is routed out of the Apps port.</summary>
public sealed class VerifyAppsPortTests
{
    [Fact]
    public void An_application_routed_out_of_the_sgw_port_is_an_error_at_its_service()
    {
        var config = VerifyConfigs.Tof();
        config["routes"]![0]!["port"] = "sgw";
        config["neighbours"]![0]!["port"] = "sgw";

        var finding = VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Error, "app-not-via-apps-port", "tof.services[0]");
        Assert.Contains("out of port 'sgw', not the Apps port 'apps'", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_more_specific_route_for_one_application_decides()
    {
        var config = VerifyConfigs.Tof();
        config["tof"]!["services"]!.AsArray().Add(VerifyConfigs.Parse("""{ "name": "games", "serviceIP": "10.200.0.2", "applicationIP": "172.16.0.20" }"""));
        config["neighbours"]!.AsArray().Add(VerifyConfigs.Parse("""{ "address": "172.16.0.20", "mac": "02:00:00:00:a0:14", "port": "enb" }"""));
        VerifyConfigs.AddRoute(config, "172.16.0.20/32", null, "enb");

        VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Error, "app-not-via-apps-port", "tof.services[1]");
    }
}
