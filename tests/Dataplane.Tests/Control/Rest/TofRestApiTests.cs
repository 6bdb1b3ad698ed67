using System.Net;
using System.Text.Json.Nodes;
using Dataplane.Control.Rest;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Control.Rest;

/// <summary>The TOF REST API's successful calls, over HttpClient on loopback.</summary>
public sealed class TofRestApiTests
{
    [Fact]
    public async Task Post_registers_a_service_and_get_lists_them_by_name()
    {
        using var api = new RestApiHarness();

        var (status, body) = await api.Post(RestApiHarness.Service("video", "198.51.100.10", "10.200.0.10"));
        var (status2, _) = await api.Post(RestApiHarness.Service("cache", "198.51.100.11", "10.200.0.11"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, status2);
        Assert.Equal("""{"name":"video","serviceIP":"198.51.100.10","applicationIP":"10.200.0.10"}""", body!.ToJsonString());
        Assert.Equal(
            """[{"name":"cache","serviceIP":"198.51.100.11","applicationIP":"10.200.0.11"},{"name":"video","serviceIP":"198.51.100.10","applicationIP":"10.200.0.10"}]""",
            await api.ListText());
        Assert.Equal("video", api.Services.ByServiceIp[Ipv4Address.Parse("198.51.100.10")].Name);
        Assert.Equal("cache", api.Services.ByApplicationIp[Ipv4Address.Parse("10.200.0.11")].Name);
    }

    [Fact]
    public async Task Get_lists_nothing_at_first()
    {
        using var api = new RestApiHarness();

        Assert.Equal("[]", await api.ListText());
    }

    [Fact]
    public async Task Put_replaces_a_service_and_may_rename_it()
    {
        using var api = new RestApiHarness();
        await api.Post(RestApiHarness.Service("video", "198.51.100.10", "10.200.0.10"));

        var (status, body) = await api.Send(HttpMethod.Put, "/service/video", RestApiHarness.Service("video", "198.51.100.20", "10.200.0.20").ToJsonString());
        var (renamed, _) = await api.Send(HttpMethod.Put, "/service/video", RestApiHarness.Service("video2", "198.51.100.20", "10.200.0.20").ToJsonString());

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("198.51.100.20", body!["serviceIP"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, renamed);
        Assert.Equal("""[{"name":"video2","serviceIP":"198.51.100.20","applicationIP":"10.200.0.20"}]""", await api.ListText());
        Assert.False(api.Services.ByServiceIp.ContainsKey(Ipv4Address.Parse("198.51.100.10")));
    }

    [Fact]
    public async Task Delete_takes_the_name_or_the_service_ip_and_answers_the_removed_service()
    {
        using var api = new RestApiHarness();
        await api.Post(RestApiHarness.Service("video", "198.51.100.10", "10.200.0.10"));
        await api.Post(RestApiHarness.Service("cache", "198.51.100.11", "10.200.0.11"));

        var (byName, removed) = await api.Send(HttpMethod.Delete, "/service/video");
        var (byAddress, removed2) = await api.Send(HttpMethod.Delete, "/service/198.51.100.11");

        Assert.Equal(HttpStatusCode.OK, byName);
        Assert.Equal("""{"name":"video","serviceIP":"198.51.100.10","applicationIP":"10.200.0.10"}""", removed!.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, byAddress);
        Assert.Equal("cache", removed2!["name"]!.GetValue<string>());
        Assert.Equal("[]", await api.ListText());
        Assert.Empty(api.Services.ByServiceIp);
    }

    [Fact]
    public async Task Get_tunnel_lists_the_learned_tunnels_by_ue_address_with_unknown_halves_as_null()
    {
        var seen = new DateTimeOffset(2026, 11, 23, 17, 0, 0, TimeSpan.Zero);
        var source = new FakeTunnelSource(
            new TofTunnelView("10.45.0.3", "192.0.2.10", 0x100, null, null, null, seen),
            new TofTunnelView("10.45.0.2", "192.0.2.10", 0x101, "192.0.2.20", 0xFFFF_FFFF, 9, seen.AddSeconds(1)));
        using var api = new RestApiHarness(tunnels: source);

        var (status, body) = await api.Send(HttpMethod.Get, "/tunnel");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(
            """[{"ueIP":"10.45.0.2","enbAddress":"192.0.2.10","uplinkTeid":257,"sgwAddress":"192.0.2.20","downlinkTeid":4294967295,"qfi":9,"lastSeen":"2026-11-23T17:00:01.000Z"},"""
            + """{"ueIP":"10.45.0.3","enbAddress":"192.0.2.10","uplinkTeid":256,"sgwAddress":null,"downlinkTeid":null,"qfi":null,"lastSeen":"2026-11-23T17:00:00.000Z"}]""",
            body!.ToJsonString());
    }

    [Fact]
    public async Task Without_a_TOF_the_endpoints_answer_503()
    {
        using var api = new RestApiHarness(withTof: false);

        var (services, error) = await api.Send(HttpMethod.Get, "/service");
        var (post, _) = await api.Post(RestApiHarness.Service("video", "198.51.100.10", "10.200.0.10"));
        var (tunnels, _) = await api.Send(HttpMethod.Get, "/tunnel");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, services);
        Assert.Contains("no role tof", error!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, post);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, tunnels);
    }

    [Fact]
    public async Task Rest_changes_are_in_the_state_dump_and_go_through_the_control_methods()
    {
        using var api = new RestApiHarness();

        await api.Post(RestApiHarness.Service("video", "198.51.100.10", "10.200.0.10"));
        var socketList = api.Methods.Invoke("service.list", null)!.ToJsonString();

        Assert.Equal(await api.ListText(), socketList);
        Assert.Equal("""[{"applicationIP":"10.200.0.10","name":"video","serviceIP":"198.51.100.10"}]""", JsonNode.Parse(api.Methods.DumpState())!["services"]!.ToJsonString());
    }

    [Fact]
    public async Task The_openapi_document_is_json_and_describes_every_path_operation_and_the_bearer_scheme()
    {
        using var api = new RestApiHarness();

        var (status, document) = await api.Send(HttpMethod.Get, "/openapi.json");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("3.0", document!["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        var paths = document["paths"]!.AsObject();
        Assert.Equal(["/openapi.json", "/rule", "/rule/{name}", "/service", "/service/{name}", "/tunnel"], paths.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["get", "post"], paths["/service"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["put", "delete"], paths["/service/{name}"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["200", "400", "401", "409", "503"], paths["/service"]!["post"]!["responses"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["200", "400", "401", "404", "409", "503"], paths["/service/{name}"]!["put"]!["responses"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["200", "401", "404", "503"], paths["/service/{name}"]!["delete"]!["responses"]!.AsObject().Select(p => p.Key));
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["bearerAuth"]!["scheme"]!.GetValue<string>());

        // Every $ref points at something that exists.
        foreach (string reference in References(document))
        {
            JsonNode? target = document;
            foreach (string part in reference.TrimStart('#', '/').Split('/'))
            {
                target = target?[part];
            }

            Assert.True(target is not null, $"{reference} does not resolve");
        }
    }

    private static IEnumerable<string> References(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => p.Key == "$ref" ? [p.Value!.GetValue<string>()] : References(p.Value)),
        JsonArray array => array.SelectMany(References),
        _ => [],
    };
}
