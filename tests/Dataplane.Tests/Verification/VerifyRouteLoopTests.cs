using Dataplane.Control.Verification;

namespace Dataplane.Tests.Verification;

/// <summary>Forwarding loops between routes: a next hop that is our own address, next hops that resolve through each other.</summary>
public sealed class VerifyRouteLoopTests
{
    [Fact]
    public void A_default_route_through_a_gateway_inside_it_is_no_loop()
    {
        var config = VerifyConfigs.Xtr();
        VerifyConfigs.AddRoute(config, "0.0.0.0/0", "192.0.2.254", "rloc");

        Assert.Empty(VerifyConfigs.Verify(config));
    }

    [Fact]
    public void A_next_hop_behind_another_gateway_is_no_loop_but_is_not_on_the_link()
    {
        var config = VerifyConfigs.Xtr();
        config["neighbours"]!.AsArray().Add(VerifyConfigs.Parse("""{ "address": "198.51.100.1", "mac": "02:00:00:00:ff:02", "port": "rloc" }"""));
        VerifyConfigs.AddRoute(config, "203.0.113.0/24", "198.51.100.1", "rloc"); // routes[2]: 198.51.100.1 is behind routes[0]'s gateway

        var finding = VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Warning, "next-hop-not-on-link", "routes[2]");
        Assert.Contains("routed through routes[0] (198.51.100.0/24 via 192.0.2.254)", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_next_hop_that_is_our_own_address_is_a_loop()
    {
        var config = VerifyConfigs.Xtr();
        VerifyConfigs.AddRoute(config, "[7]10.9.0.0/16", "10.1.0.254", "eid"); // routes[2]: 10.1.0.254 is port eid's address

        var finding = VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Error, "route-loop", "routes[2]");
        Assert.Contains("our own address", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_routes_whose_next_hops_resolve_through_each_other_are_one_loop_reported_at_the_first()
    {
        var config = VerifyConfigs.Xtr();
        VerifyConfigs.AddRoute(config, "203.0.113.0/24", "10.9.0.1", "rloc"); // routes[2]
        VerifyConfigs.AddRoute(config, "10.9.0.0/16", "203.0.113.5", "rloc"); // routes[3]

        var finding = VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Error, "route-loop", "routes[2]");
        Assert.Contains("routes[2] (203.0.113.0/24 via 10.9.0.1) -> routes[3] (10.9.0.0/16 via 203.0.113.5) -> routes[2]", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_circle_of_three_is_reported_once_and_a_route_leading_into_it_only_as_off_link()
    {
        var config = VerifyConfigs.Xtr();
        VerifyConfigs.AddRoute(config, "100.64.0.0/16", "100.65.0.1", "rloc"); // routes[2] leads into the circle
        VerifyConfigs.AddRoute(config, "100.65.0.0/16", "100.66.0.1", "rloc"); // routes[3]
        VerifyConfigs.AddRoute(config, "100.66.0.0/16", "100.67.0.1", "rloc"); // routes[4]
        VerifyConfigs.AddRoute(config, "100.67.0.0/16", "100.65.0.2", "rloc"); // routes[5] back to routes[3]

        var findings = VerifyConfigs.Verify(config);
        var loop = Assert.Single(findings, f => f.Code == "route-loop");
        Assert.Equal("routes[3]", loop.Path);
        Assert.Contains("3 routes", loop.Message, StringComparison.Ordinal);
        // routes[2] is not in the circle: its next hop is only behind routes[3]'s gateway.
        Assert.Equal("warning next-hop-not-on-link routes[2]", Assert.Single(findings, f => f.Code != "route-loop").ToString().Split(':')[0]);
    }

    [Fact]
    public void Routes_in_other_instances_do_not_close_a_circle()
    {
        var config = VerifyConfigs.Xtr();
        VerifyConfigs.AddRoute(config, "203.0.113.0/24", "10.9.0.1", "rloc");
        VerifyConfigs.AddRoute(config, "[7]10.9.0.0/16", "203.0.113.5", "eid");

        Assert.Empty(VerifyConfigs.Verify(config));
    }

    [Fact]
    public void A_second_route_for_one_prefix_replaces_the_first_and_is_a_warning()
    {
        var config = VerifyConfigs.Xtr();
        VerifyConfigs.AddRoute(config, "198.51.100.0/24", "192.0.2.254", "rloc");

        var finding = VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Warning, "duplicate-route", "routes[0]");
        Assert.Contains("routes[2]", finding.Message, StringComparison.Ordinal);
    }
}
