using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Stages;
using Dataplane.Tests.GtpU;

namespace Dataplane.Tests.Classification;

/// <summary>
/// Every role, every tunnel UDP port (4341, 4342, 4789, 4790, 2152, 2123, IPv4 and IPv6): a datagram addressed to
/// someone else is forwarded as the role forwards any packet (routed, or encapsulated by a PITR), and one addressed
/// to us still ends in the role's tunnel. The ITR, the ETR and a plain router are covered byte for byte by the golden
/// cases itr-tunnels-in-lisp, etr-tunnels-in-lisp, etr-foreign-rloc and router-transit-tunnels.
/// </summary>
public sealed class TransitThroughRolesTests
{
    private const string LispHeader = "b'\\x88\\x00\\x00\\x01\\x00\\x00\\x00\\x00'";

    /// <summary>Scapy expressions of one datagram per tunnel port, the IP header left to the caller.</summary>
    private static readonly string[] TunnelPayloads =
    [
        $"UDP(sport=49200, dport=4341)/Raw({LispHeader} + bytes(IP(src='172.16.1.1', dst='172.16.2.2')/ICMP()))",
        "UDP(sport=4342, dport=4342)/Raw(b'\\x10\\x00\\x00\\x01' + bytes(range(1, 9)) + b'\\x00\\x00')",
        "UDP(sport=50000, dport=4789)/VXLAN(vni=5000, flags=0x08)/Ether()/IP(src='172.16.0.1', dst='172.16.0.2')/ICMP()",
        "UDP(sport=50001, dport=4790)/Raw(b'\\x0c\\x00\\x00\\x03\\x00\\x13\\x89\\x00' + bytes(Ether()/IP()/ICMP()))",
        "UDP(sport=2152, dport=2152)/GTP_U_Header(teid=0x1234)/IP(src='10.45.0.2', dst='192.0.2.200')/ICMP()",
        "UDP(sport=2123, dport=2123)/GTPHeader(seq=7)/GTPEchoRequest()",
    ];

    private static byte[][] Datagrams(string ether, string src4, string dst4, string src6, string dst6) => ScapyFrames.Build(
        [.. TunnelPayloads.Select(p => $"{ether}/IP(src='{src4}', dst='{dst4}', ttl=64)/{p}"),
         .. TunnelPayloads.Select(p => $"{ether}/IPv6(src='{src6}', dst='{dst6}', hlim=64)/{p}")]);

    private static readonly string FromGateway = $"Ether(src='{TwoPortPlane.GatewayMac}', dst='{TwoPortPlane.CoreMac}')";
    private static readonly string FromHost = $"Ether(src='{TwoPortPlane.HostMac}', dst='{TwoPortPlane.SiteMac}')";

    [Fact]
    public void A_pxtr_encapsulates_transit_tunnels_toward_eids_and_still_opens_lisp_to_its_rloc()
    {
        using var pxtr = new TwoPortPlane("\"pitr\", \"petr\"", """
            , "lisp": {
                "localRlocs": [ { "address": "192.0.2.1" } ],
                "mapCache": [
                  { "eid": "10.2.0.0/16", "locators": [ { "address": "198.51.100.1" } ] },
                  { "eid": "2001:db8:2::/64", "locators": [ { "address": "198.51.100.1" } ] }
                ]
              }
            """);
        var transit = Datagrams(FromGateway, "203.0.113.9", "10.2.0.5", "2001:db8:99::9", "2001:db8:2::5");

        var batch = pxtr.Process([.. transit.Select(f => (TwoPortPlane.Core, f))]);

        AssertAllTransmittedOn(batch, TwoPortPlane.Core);
        Assert.Equal(transit.Length, pxtr.Counters.Counted(ForwardingEvent.LispEncapsulated));
        Assert.Equal(0, pxtr.Counters.Counted(ForwardingEvent.LispDecapsulated));

        var ours = ScapyFrames.Build(
            $"{FromGateway}/IP(src='198.51.100.1', dst='192.0.2.1')/UDP(sport=49200, dport=4341)/Raw({LispHeader} + bytes(IP(src='10.2.0.5', dst='10.1.0.10')/ICMP()))",
            $"{FromGateway}/IP(src='198.51.100.1', dst='192.0.2.1')/{TunnelPayloads[1]}");
        batch = pxtr.Process((TwoPortPlane.Core, ours[0]), (TwoPortPlane.Core, ours[1]));

        Assert.Equal(TwoPortPlane.Site, batch[0].EgressPort); // decapsulated, then routed to the host
        Assert.Equal(1, pxtr.Counters.Counted(ForwardingEvent.LispDecapsulated));
        Assert.Equal(PacketDisposition.Punt, batch[1].Disposition);
        Assert.Equal(1, pxtr.Counters.Counted(ForwardingEvent.LispControlPunted));
    }

    [Fact]
    public void An_rtr_routes_transit_tunnels_and_reencapsulates_only_what_comes_to_its_rloc()
    {
        using var rtr = new TwoPortPlane("\"rtr\"", """
            , "lisp": {
                "localRlocs": [ { "address": "192.0.2.1" } ],
                "mapCache": [ { "eid": "10.2.0.0/16", "locators": [ { "address": "198.51.100.1" } ] } ]
              }
            """);
        var transit = Datagrams(FromGateway, "198.51.100.9", "10.1.0.10", "2001:db8:ff00::9", "2001:db8:1::10");

        var batch = rtr.Process([.. transit.Select(f => (TwoPortPlane.Core, f))]);

        AssertAllTransmittedOn(batch, TwoPortPlane.Site);
        Assert.Equal(transit.Length, rtr.Counters.Counted(ForwardingEvent.Routed));
        Assert.Equal(0, rtr.Counters.Counted(ForwardingEvent.LispDecapsulated));

        var ours = ScapyFrames.Build(
            $"{FromGateway}/IP(src='198.51.100.9', dst='192.0.2.1')/UDP(sport=49200, dport=4341)/Raw({LispHeader} + bytes(IP(src='203.0.113.9', dst='10.2.0.5')/ICMP()))");
        batch = rtr.Process((TwoPortPlane.Core, ours[0]));

        Assert.Equal(TwoPortPlane.Core, batch[0].EgressPort);
        Assert.Equal(1, rtr.Counters.Counted(ForwardingEvent.LispDecapsulated));
        Assert.Equal(1, rtr.Counters.Counted(ForwardingEvent.LispReencapsulated));
    }

    [Fact]
    public void An_etr_whose_rloc_is_no_port_address_opens_lisp_to_that_rloc_and_routes_lisp_to_its_neighbour()
    {
        using var etr = new TwoPortPlane("\"etr\"", """
            , "lisp": { "localRlocs": [ { "address": "203.0.113.1" } ], "localEids": [ "10.1.0.0/24" ] }
            """);
        var frames = ScapyFrames.Build(
            $"{FromGateway}/IP(src='198.51.100.9', dst='203.0.113.1')/UDP(sport=49200, dport=4341)/Raw({LispHeader} + bytes(IP(src='10.2.0.5', dst='10.1.0.10')/ICMP()))",
            $"{FromGateway}/IP(src='198.51.100.9', dst='203.0.113.1')/{TunnelPayloads[1]}",
            $"{FromGateway}/IP(src='198.51.100.9', dst='203.0.113.2')/UDP(sport=49200, dport=4341)/Raw({LispHeader} + bytes(IP(src='10.2.0.5', dst='10.1.0.10')/ICMP()))");

        var batch = etr.Process([.. frames.Select(f => (TwoPortPlane.Core, f))]);

        Assert.Equal(TwoPortPlane.Site, batch[0].EgressPort);
        Assert.Equal(1, etr.Counters.Counted(ForwardingEvent.LispDecapsulated));
        Assert.Equal(PacketDisposition.Punt, batch[1].Disposition);
        Assert.Equal(TwoPortPlane.Core, batch[2].EgressPort); // not ours: back toward the gateway, unopened
        Assert.Equal(2, etr.Counters.Counted(ForwardingEvent.Routed)); // the decapsulated packet and the transit one
    }

    [Fact]
    public void A_vtep_routes_transit_tunnels_and_still_decapsulates_vxlan_to_its_address()
    {
        using var vtep = new TwoPortPlane("\"vtep\"", """
            , "vxlan": {
                "localVteps": [ "192.0.2.1" ],
                "bridgeDomains": [ { "vni": 5000, "ports": [ "access" ], "remoteVteps": [ "198.51.100.1" ] } ]
              }
            """, extraPorts: """
            , { "name": "access", "mac": "02:00:00:00:00:03" }
            """);
        var transit = Datagrams(FromGateway, "198.51.100.9", "10.1.0.10", "2001:db8:ff00::9", "2001:db8:1::10");

        var batch = vtep.Process([.. transit.Select(f => (TwoPortPlane.Core, f))]);

        AssertAllTransmittedOn(batch, TwoPortPlane.Site);
        Assert.Equal(0, vtep.Counters.Counted(ForwardingEvent.VxlanDecapsulated));

        var ours = ScapyFrames.Build(
            $"{FromGateway}/IP(src='198.51.100.1', dst='192.0.2.1')/UDP(sport=50000, dport=4789)/VXLAN(vni=5000, flags=0x08)/Ether(src='02:00:00:00:0b:01', dst='02:00:00:00:0a:01')/IP()/ICMP()");
        batch = vtep.Process((TwoPortPlane.Core, ours[0]));

        Assert.Equal(1, vtep.Counters.Counted(ForwardingEvent.VxlanDecapsulated));
        Assert.Equal((ushort)2, batch[0].EgressPort); // the domain's one access port
    }

    [Fact]
    public void A_vtep_on_a_non_standard_port_routes_vxlan_on_that_port_to_others_and_opens_it_to_itself()
    {
        using var vtep = new TwoPortPlane("\"vtep\"", """
            , "vxlan": {
                "localVteps": [ "192.0.2.1" ], "udpPort": 8472,
                "bridgeDomains": [ { "vni": 5000, "ports": [ "access" ], "remoteVteps": [ "198.51.100.1" ] } ]
              }
            """, extraPorts: """
            , { "name": "access", "mac": "02:00:00:00:00:03" }
            """);
        var frames = ScapyFrames.Build(
            $"{FromGateway}/IP(src='198.51.100.1', dst='10.1.0.10')/UDP(sport=50000, dport=8472)/VXLAN(vni=5000, flags=0x08)/Ether()/IP()/ICMP()",
            $"{FromGateway}/IP(src='198.51.100.1', dst='192.0.2.1')/UDP(sport=50000, dport=8472)/VXLAN(vni=5000, flags=0x08)/Ether(src='02:00:00:00:0b:01', dst='02:00:00:00:0a:01')/IP()/ICMP()");

        var batch = vtep.Process((TwoPortPlane.Core, frames[0]), (TwoPortPlane.Core, frames[1]));

        Assert.Equal(TwoPortPlane.Site, batch[0].EgressPort);
        Assert.Equal(1, vtep.Counters.Counted(ForwardingEvent.Routed));
        Assert.Equal((ushort)2, batch[1].EgressPort);
        Assert.Equal(1, vtep.Counters.Counted(ForwardingEvent.VxlanDecapsulated));
    }

    [Fact]
    public void A_gtpu_endpoint_routes_transit_tunnels_and_still_decapsulates_its_own_tunnel()
    {
        using var upf = new TwoPortPlane("\"gtpu\"", """
            , "gtpu": { "tunnels": [ { "name": "ue1", "localAddress": "192.0.2.1", "peerAddress": "198.51.100.10",
                                       "teidIn": 256, "teidOut": 512, "ueAddress": "10.45.0.2" } ] }
            """);
        var transit = Datagrams(FromGateway, "198.51.100.9", "10.1.0.10", "2001:db8:ff00::9", "2001:db8:1::10");

        var batch = upf.Process([.. transit.Select(f => (TwoPortPlane.Core, f))]);

        AssertAllTransmittedOn(batch, TwoPortPlane.Site);
        Assert.Equal(0, upf.Counters.Counted(ForwardingEvent.GtpUDecapsulated));

        var ours = ScapyFrames.Build(
            $"{FromGateway}/IP(src='198.51.100.10', dst='192.0.2.1')/UDP(sport=2152, dport=2152)/GTP_U_Header(teid=256)/IP(src='10.45.0.2', dst='10.1.0.10')/ICMP()");
        batch = upf.Process((TwoPortPlane.Core, ours[0]));

        Assert.Equal(1, upf.Counters.Counted(ForwardingEvent.GtpUDecapsulated));
        Assert.Equal(TwoPortPlane.Site, batch[0].EgressPort); // the UE's packet, routed to the host
    }

    [Fact]
    public void A_tof_offloads_gtpu_to_others_on_its_s1_port_while_the_same_gtpu_on_another_port_is_routed()
    {
        using var tof = new TwoPortPlane("\"tof\"", """
            , "tof": { "enbPort": "enb", "sgwPort": "sgw", "appsPort": "apps",
                       "services": [ { "name": "video", "serviceIP": "10.200.0.1", "applicationIP": "203.0.113.10" } ] }
            """, extraPorts: """
            , { "name": "enb", "mac": "02:00:00:00:e0:01" }, { "name": "sgw", "mac": "02:00:00:00:e0:02" },
              { "name": "apps", "mac": "02:00:00:00:e0:04" }
            """, extraRoutes: """
            , { "prefix": "203.0.113.0/24", "port": "apps" }
            """, extraNeighbours: """
            , { "address": "203.0.113.10", "mac": "02:00:00:00:a0:01", "port": "apps" }
            """);
        const ushort Enb = 2;
        const ushort Apps = 4;
        // A G-PDU from an eNodeB to an SGW (neither is us), carrying a UE's request to the registered service.
        string gpdu = "IP(src='192.0.2.10', dst='198.51.100.20', id=1)/UDP(sport=2152, dport=2152)/GTP_U_Header(teid=0x1001)"
            + "/IP(src='10.45.0.2', dst='10.200.0.1', id=5)/UDP(sport=40000, dport=8080)/Raw(b'request')";
        var frames = ScapyFrames.Build(
            $"Ether(src='02:00:00:00:0e:01', dst='02:00:00:00:05:01')/{gpdu}",
            $"{FromHost}/{gpdu}");

        var batch = tof.Process((Enb, frames[0]), (TwoPortPlane.Site, frames[1]));

        Assert.Equal(Apps, batch[0].EgressPort);
        Assert.Equal(1, tof.Counters.Counted(ForwardingEvent.TofOffloaded));
        Assert.Equal(TwoPortPlane.Core, batch[1].EgressPort); // routed toward the SGW by the default route
        Assert.Equal(1, tof.Counters.Counted(ForwardingEvent.Routed));

        // Every other tunnel port crossing the same box off the S1 ports is routed too.
        var transit = Datagrams(FromHost, "10.1.0.10", "198.51.100.9", "2001:db8:1::10", "2001:db8:ff00::9");
        batch = tof.Process([.. transit.Select(f => (TwoPortPlane.Site, f))]);
        AssertAllTransmittedOn(batch, TwoPortPlane.Core);
    }

    private static void AssertAllTransmittedOn(PacketBatch batch, ushort port)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            Assert.True(batch[i].DropReason == 0, $"packet {i} dropped as {(DropReason)batch[i].DropReason}");
            Assert.True(batch[i].Disposition == PacketDisposition.Transmit, $"packet {i} {batch[i].Disposition}, kind {batch[i].Kind}");
            Assert.True(port == batch[i].EgressPort, $"packet {i} left on port {batch[i].EgressPort}");
            Assert.True(batch[i].Kind is PacketKind.NativeIpv4 or PacketKind.NativeIpv6 or PacketKind.LispData,
                $"packet {i} classified {batch[i].Kind}");
        }
    }
}
