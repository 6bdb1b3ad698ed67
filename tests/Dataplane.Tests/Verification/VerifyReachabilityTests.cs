using System.Text.Json.Nodes;
using Dataplane.Control.Verification;

namespace Dataplane.Tests.Verification;

/// <summary>
/// Reachability: every local EID, RLOC, GTP-U peer, VTEP, mapping-system address and application has a route in its
/// instance whose next hop can be reached. Each test breaks the one configuration that holds in one place.
/// </summary>
public sealed class VerifyReachabilityTests
{
    [Fact]
    public void The_configurations_that_hold_have_no_finding()
    {
        Assert.Empty(VerifyConfigs.Verify(VerifyConfigs.Xtr()));
        Assert.Empty(VerifyConfigs.Verify(VerifyConfigs.Tof()));
    }

    [Fact]
    public void A_local_eid_without_a_route_in_its_instance_is_unreachable()
    {
        var config = VerifyConfigs.Xtr();
        config["lisp"]!["localEids"]!.AsArray().Add("[7]10.8.0.0/24");

        var finding = VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Error, "unreachable-eid", "lisp.localEids[1]");
        Assert.Contains("no route in instance 7", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_local_eid_routed_in_another_instance_only_is_unreachable()
    {
        var config = VerifyConfigs.Xtr();
        config["routes"]![1]!["prefix"] = "[8]10.1.0.0/24";

        VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Error, "unreachable-eid", "lisp.localEids[0]");
    }

    [Fact]
    public void A_local_eid_routed_only_in_part_is_unreachable_and_the_message_names_the_part()
    {
        var config = VerifyConfigs.Xtr();
        config["routes"]![1]!["prefix"] = "[7]10.1.0.0/25";

        var finding = VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Error, "unreachable-eid", "lisp.localEids[0]");
        Assert.Contains("routes[1] covers [7]10.1.0.0/25", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connected_eid_route_on_a_port_with_no_address_of_its_family_cannot_find_its_hosts()
    {
        var config = VerifyConfigs.Xtr();
        config["ports"]![0]!["addresses"] = new JsonArray("2001:db8:1::fe");

        var finding = VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Error, "unreachable-eid", "lisp.localEids[0]");
        Assert.Contains("no IPv4 address", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_rloc_outside_every_route_is_unreachable_at_its_locator_path()
    {
        var config = VerifyConfigs.Xtr();
        config["lisp"]!["mapCache"]![0]!["locators"]!.AsArray().Add(new JsonObject { ["address"] = "203.0.113.9" });

        var finding = VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Error, "unreachable-rloc", "lisp.mapCache[0].locators[1]");
        Assert.Contains("203.0.113.9", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_locator_that_is_down_or_unusable_is_not_checked()
    {
        var config = VerifyConfigs.Xtr();
        config["lisp"]!["mapCache"]![0]!["locators"]!.AsArray().Add(new JsonObject { ["address"] = "203.0.113.9", ["up"] = false });
        config["lisp"]!["mapCache"]![0]!["locators"]!.AsArray().Add(new JsonObject { ["address"] = "203.0.113.10", ["priority"] = 255 });

        Assert.Empty(VerifyConfigs.Verify(config));
    }

    [Fact]
    public void A_gateway_without_a_static_neighbour_is_a_warning_once_per_route_when_the_port_can_ask_for_it()
    {
        var config = VerifyConfigs.Xtr();
        config["neighbours"] = new JsonArray();
        config["lisp"]!["mapCache"]![0]!["locators"]!.AsArray().Add(new JsonObject { ["address"] = "198.51.100.2" });

        var finding = VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Warning, "neighbour-by-arp", "routes[0]");
        Assert.Contains("192.0.2.254", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gateway_on_a_port_with_no_address_of_its_family_and_no_neighbour_is_an_error()
    {
        var config = VerifyConfigs.Xtr();
        config["neighbours"] = new JsonArray();
        config["ports"]![1]!["addresses"] = new JsonArray("2001:db8:ff::1");
        config["lisp"]!["localRlocs"] = new JsonArray(new JsonObject { ["address"] = "2001:db8:ff::1" });

        var finding = VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Error, "unreachable-rloc", "lisp.mapCache[0].locators[0]");
        Assert.Contains("no IPv4 address to ask for next hop 192.0.2.254 by ARP", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_static_neighbour_on_another_port_than_the_route_is_a_warning()
    {
        var config = VerifyConfigs.Xtr();
        config["neighbours"]![0]!["port"] = "eid";

        VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Warning, "neighbour-on-other-port", "routes[0]");
    }

    [Fact]
    public void An_rloc_that_is_our_own_address_is_not_a_destination()
    {
        var config = VerifyConfigs.Xtr();
        config["lisp"]!["mapCache"]![0]!["locators"]!.AsArray().Add(new JsonObject { ["address"] = "192.0.2.1" });

        Assert.Empty(VerifyConfigs.Verify(config));
    }

    [Fact]
    public void Map_resolvers_and_servers_must_be_reachable()
    {
        var config = VerifyConfigs.Xtr();
        config["lisp"]!["mapResolvers"] = new JsonArray("198.51.100.53", "203.0.113.53");

        VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Error, "unreachable-map-server", "lisp.mapResolvers[1]");
    }

    [Fact]
    public void A_gtpu_tunnel_peer_outside_every_route_is_unreachable()
    {
        var config = VerifyConfigs.Xtr();
        config["roles"] = new JsonArray("gtpu");
        config.Remove("lisp");
        config["gtpu"] = VerifyConfigs.Parse("""
            { "tunnels": [
                { "name": "ue1", "localAddress": "192.0.2.1", "peerAddress": "198.51.100.20", "teidIn": 1, "teidOut": 2, "ueAddress": "10.45.0.2" },
                { "name": "ue2", "localAddress": "192.0.2.1", "peerAddress": "203.0.113.20", "teidIn": 3, "teidOut": 4, "ueAddress": "10.45.0.3" } ] }
            """);

        VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Error, "unreachable-gtpu-peer", "gtpu.tunnels[1]");
    }

    [Fact]
    public void A_remote_vtep_outside_every_route_is_unreachable()
    {
        var config = VerifyConfigs.Xtr();
        config["roles"] = new JsonArray("vtep");
        config.Remove("lisp");
        config["vxlan"] = VerifyConfigs.Parse("""
            { "localVteps": ["192.0.2.1"],
              "bridgeDomains": [ { "vni": 5000, "ports": ["eid"], "remoteVteps": ["198.51.100.7", "203.0.113.7"] } ] }
            """);

        var finding = VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Error, "unreachable-vtep", "vxlan.bridgeDomains[0].remoteVteps[1]");
        Assert.Contains("VNI 5000", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_nsh_service_function_over_vxlan_gpe_outside_every_route_is_unreachable()
    {
        var config = VerifyConfigs.Xtr();
        config["roles"] = new JsonArray();
        config.Remove("lisp");
        config["nsh"] = VerifyConfigs.Parse("""
            { "serviceFunctions": [
                { "name": "fw1", "transport": "vxlan-gpe", "address": "198.51.100.21", "vni": 7 },
                { "name": "fw2", "transport": "vxlan-gpe", "address": "203.0.113.21", "vni": 8 },
                { "name": "dpi1", "transport": "ethernet", "mac": "02:00:00:00:00:21", "port": "eid" } ],
              "servicePaths": [ { "spi": 10, "hops": ["fw1", "fw2", "dpi1"] } ] }
            """);

        var finding = VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Error, "unreachable-service-function", "nsh.serviceFunctions[1]");
        Assert.Contains("'fw2'", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tof_application_without_a_route_is_unreachable()
    {
        var config = VerifyConfigs.Tof();
        config["routes"] = new JsonArray();

        VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Error, "unreachable-application", "tof.services[0]");
    }

    [Fact]
    public void A_shared_s1_tof_needs_its_enb_and_sgw_addresses_routed()
    {
        var config = VerifyConfigs.Tof();
        config["tof"] = VerifyConfigs.Parse("""
            { "s1Port": "enb", "appsPort": "apps", "enbAddresses": ["172.16.0.10"], "sgwAddresses": ["198.51.100.30"],
              "services": [ { "name": "video", "serviceIP": "10.200.0.1", "applicationIP": "172.16.0.10" } ] }
            """);

        VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Error, "unreachable-gtpu-peer", "tof.sgwAddresses[0]");
    }
}
