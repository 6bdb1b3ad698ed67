using System.Net;
using Dataplane.Control.Tof;
using Dataplane.Tests.GtpU;
using Dataplane.Tests.Tof;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Control.Rest;

/// <summary>The TOF REST API and control methods with IPv6 services and tunnels, over HttpClient on loopback.</summary>
public sealed class TofRestApiIpv6Tests
{
    [Fact]
    public async Task An_ipv6_service_is_registered_in_canonical_form_and_taken_in_any_spelling_of_its_address()
    {
        using var api = new RestApiHarness();

        var (status, body) = await api.Post(RestApiHarness.Service("video6", "2001:DB8:100:0:0::1", "2001:db8:a:0::10"));
        var (taken, error) = await api.Post(RestApiHarness.Service("other", "2001:db8:100::0:1", "2001:db8:a::11"));
        var (v4, _) = await api.Post(RestApiHarness.Service("video", "198.51.100.10", "10.200.0.10"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"name":"video6","serviceIP":"2001:db8:100::1","applicationIP":"2001:db8:a::10"}""", body!.ToJsonString());
        Assert.Equal(HttpStatusCode.Conflict, taken);
        Assert.Equal("serviceIP 2001:db8:100::1 is taken by 'video6'", error!["error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, v4);
        Assert.Equal("video6", api.Services.ByServiceIpv6[Ipv6Address.Parse("2001:db8:100::1")].Name);
        Assert.Equal("video6", api.Services.ByApplicationIpv6[Ipv6Address.Parse("2001:db8:a::10")].Name);
        Assert.Equal("video", Assert.Single(api.Services.ByServiceIp).Value.Name); // the IPv4 lookup holds IPv4 services only
        Assert.Equal(
            """[{"name":"video","serviceIP":"198.51.100.10","applicationIP":"10.200.0.10"},{"name":"video6","serviceIP":"2001:db8:100::1","applicationIP":"2001:db8:a::10"}]""",
            await api.ListText());
    }

    [Fact]
    public async Task Delete_takes_an_ipv6_service_ip_in_another_spelling_and_put_moves_a_service_between_families()
    {
        using var api = new RestApiHarness();
        await api.Post(RestApiHarness.Service("video6", "2001:db8:100::1", "2001:db8:a::10"));
        await api.Post(RestApiHarness.Service("cache", "198.51.100.11", "10.200.0.11"));

        var (moved, body) = await api.Send(HttpMethod.Put, "/service/cache", RestApiHarness.Service("cache", "2001:db8:100::2", "2001:db8:a::11").ToJsonString());
        var (deleted, removed) = await api.Send(HttpMethod.Delete, "/service/2001:db8:100:0:0:0:0:1");
        var (gone, _) = await api.Send(HttpMethod.Delete, "/service/2001:db8:100::1");

        Assert.Equal(HttpStatusCode.OK, moved);
        Assert.Equal("2001:db8:100::2", body!["serviceIP"]!.GetValue<string>());
        Assert.Empty(api.Services.ByServiceIp);
        Assert.Equal(HttpStatusCode.OK, deleted);
        Assert.Equal("video6", removed!["name"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, gone);
        Assert.Equal("""[{"name":"cache","serviceIP":"2001:db8:100::2","applicationIP":"2001:db8:a::11"}]""", await api.ListText());
    }

    [Fact]
    public async Task Get_tunnel_lists_an_ipv6_ue_by_its_64_with_ipv6_and_ipv4_transport_addresses()
    {
        using var tof = new TofTestPlane(ipv6: true);
        var frames = ScapyFrames.Build(
            "Ether()/IPv6(src='2001:db8:e::10', dst='2001:db8:5::20')/UDP(sport=2152, dport=2152)/GTP_U_Header(teid=0x1001)/IPv6(src='2001:db8:1:2::a', dst='2001:db8:ff::1')/UDP()",
            "Ether()/IP(src='198.51.100.20', dst='192.0.2.10')/UDP(sport=2152, dport=2152)/GTP_U_Header(teid=0xE003)/IPv6(src='2001:db8:ff::1', dst='2001:db8:1:3:aaaa::1')/UDP()");
        tof.Process((TofTestPlane.EnbPort, frames[0]), (TofTestPlane.SgwPort, frames[1]));
        using var api = new RestApiHarness(tunnels: new TofFeatureTunnelSource(tof.Tof));

        var (status, body) = await api.Send(HttpMethod.Get, "/tunnel");

        Assert.Equal(HttpStatusCode.OK, status);
        var tunnels = body!.AsArray();
        Assert.Equal(2, tunnels.Count);
        Assert.Equal(("2001:db8:1:2::/64", "2001:db8:e::10", 0x1001L, "2001:db8:5::20"),
            (tunnels[0]!["ueIP"]!.GetValue<string>(), tunnels[0]!["enbAddress"]!.GetValue<string>(), tunnels[0]!["uplinkTeid"]!.GetValue<long>(),
                tunnels[0]!["sgwAddress"]!.GetValue<string>()));
        Assert.Null(tunnels[0]!["downlinkTeid"]);
        Assert.Equal(("2001:db8:1:3::/64", "192.0.2.10", "198.51.100.20", 0xE003L),
            (tunnels[1]!["ueIP"]!.GetValue<string>(), tunnels[1]!["enbAddress"]!.GetValue<string>(), tunnels[1]!["sgwAddress"]!.GetValue<string>(),
                tunnels[1]!["downlinkTeid"]!.GetValue<long>()));
    }
}
