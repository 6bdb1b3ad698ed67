using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Control.Socket;

namespace Dataplane.Tests.Control.Rest;

/// <summary>
/// Application clusters over REST and the control socket: round trips of the new shape, updates with and without
/// ?drain=true, service.drain, and every bad document refused with its field named and nothing changed.
/// </summary>
public sealed class TofClusterRestTests : IDisposable
{
    private const string Game = """{"name":"game","serviceIP":"198.51.100.20","applications":[{"ip":"10.200.1.10","weight":3},{"ip":"10.200.1.11"}]}""";
    private const string GameAnswer =
        """{"name":"game","serviceIP":"198.51.100.20","applicationIP":"10.200.1.10","applications":[{"ip":"10.200.1.10","weight":3,"drain":false},{"ip":"10.200.1.11","weight":1,"drain":false}]}""";

    private readonly RestApiHarness api = new();

    public void Dispose() => api.Dispose();

    [Fact]
    public async Task A_cluster_round_trips_and_a_seed_service_beside_it_keeps_its_shape()
    {
        var (status, created) = await api.Send(HttpMethod.Post, "/service", Game);
        await api.Post(RestApiHarness.Service("video", "198.51.100.10", "10.200.0.10"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(GameAnswer, created!.ToJsonString());
        Assert.Equal($$"""[{{GameAnswer}},{"name":"video","serviceIP":"198.51.100.10","applicationIP":"10.200.0.10"}]""", await api.ListText());
        Assert.Equal(JsonNode.Parse(await api.ListText())!.ToJsonString(), JsonSerializer.Serialize(api.Methods.Invoke("service.list", null)));
    }

    [Fact]
    public async Task An_update_replaces_the_set_and_drain_true_is_taken_other_values_refused()
    {
        await api.Send(HttpMethod.Post, "/service", Game);
        string changed = """{"name":"game","serviceIP":"198.51.100.20","applications":[{"ip":"10.200.1.10","weight":3},{"ip":"10.200.1.12","drain":true}]}""";

        var (refusedStatus, refused) = await api.Send(HttpMethod.Put, "/service/game?drain=yes", changed);
        Assert.Equal(HttpStatusCode.BadRequest, refusedStatus);
        Assert.Equal("query.drain: 'yes' is neither true nor false", refused!["error"]!.GetValue<string>());
        Assert.Equal($"[{GameAnswer}]", await api.ListText());

        var (status, updated) = await api.Send(HttpMethod.Put, "/service/game?drain=true", changed);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(
            """{"name":"game","serviceIP":"198.51.100.20","applicationIP":"10.200.1.10","applications":[{"ip":"10.200.1.10","weight":3,"drain":false},{"ip":"10.200.1.12","weight":1,"drain":true}]}""",
            updated!.ToJsonString());

        // Back to one applicationIP: the seed's shape again.
        var (seedStatus, seed) = await api.Send(HttpMethod.Put, "/service/game", """{"name":"game","serviceIP":"198.51.100.20","applicationIP":"10.200.1.13"}""");
        Assert.Equal(HttpStatusCode.OK, seedStatus);
        Assert.Equal("""{"name":"game","serviceIP":"198.51.100.20","applicationIP":"10.200.1.13"}""", seed!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"name":"x","serviceIP":"198.51.100.1","applicationIP":"10.200.0.1","applications":[{"ip":"10.200.0.2"}]}""", 400, "body.applications: give applicationIP (one application) or applications (a cluster), not both")]
    [InlineData("""{"name":"x","serviceIP":"198.51.100.1","applications":[]}""", 400, "body.applications: a cluster needs at least one instance")]
    [InlineData("""{"name":"x","serviceIP":"198.51.100.1","applications":{"ip":"10.200.0.2"}}""", 400, "body.applications: expected an array")]
    [InlineData("""{"name":"x","serviceIP":"198.51.100.1","applications":[{"ip":"10.200.0.2","weight":0}]}""", 400, "body.applications[0].weight: 0 is outside 1..1000")]
    [InlineData("""{"name":"x","serviceIP":"198.51.100.1","applications":[{"ip":"10.200.0.2","weight":"3"}]}""", 400, "body.applications[0].weight: expected an integer 1..1000")]
    [InlineData("""{"name":"x","serviceIP":"198.51.100.1","applications":[{"ip":"10.200.0.2","drain":"yes"}]}""", 400, "body.applications[0].drain: expected true or false")]
    [InlineData("""{"name":"x","serviceIP":"198.51.100.1","applications":[{"ip":"10.200.0.2"},{"ip":"10.200.0.2"}]}""", 400, "body.applications[1].ip: 10.200.0.2 is already instance [0]")]
    [InlineData("""{"name":"x","serviceIP":"198.51.100.1","applications":[{"ip":"10.200.0.2"},{"ip":"2001:db8::2"}]}""", 400, "body.applications[1].ip: 2001:db8::2 is IPv6 and the serviceIP IPv4")]
    [InlineData("""{"name":"x","serviceIP":"198.51.100.1","applications":[{"ip":"198.51.100.1"}]}""", 400, "body.applications[0].ip: 198.51.100.1 is the serviceIP")]
    [InlineData("""{"name":"x","serviceIP":"198.51.100.1","applications":[{"ip":"10.200.0.256"}]}""", 400, "body.applications[0].ip: '10.200.0.256' is not an IPv4 address")]
    [InlineData("""{"name":"x","serviceIP":"198.51.100.1","applications":[{"ip":"255.255.255.255"}]}""", 400, "body.applications[0].ip: 255.255.255.255 is not a unicast address")]
    [InlineData("""{"name":"x","serviceIP":"198.51.100.1","applications":[{"address":"10.200.0.2"}]}""", 400, "body.applications[0].address: unknown parameter")]
    [InlineData("""{"name":"x","serviceIP":"198.51.100.1","applications":[{"weight":2}]}""", 400, "body.applications[0].ip: missing")]
    [InlineData("""{"name":"x","serviceIP":"198.51.100.1","applications":[{"ip":"10.200.1.11"}]}""", 409, "body.applications[0].ip: 10.200.1.11 is an application of 'game'; an application belongs to one service")]
    [InlineData("""{"name":"x","serviceIP":"198.51.100.1","applicationIP":"10.200.1.10"}""", 409, "body.applicationIP: 10.200.1.10 is an application of 'game'")]
    public async Task A_bad_document_is_refused_naming_the_field_and_changes_nothing(string body, int status, string error)
    {
        await api.Send(HttpMethod.Post, "/service", Game);
        string before = await api.ListText();

        var (postStatus, answer) = await api.Send(HttpMethod.Post, "/service", body);
        Assert.Equal((HttpStatusCode)status, postStatus);
        Assert.StartsWith(error, answer!["error"]!.GetValue<string>(), StringComparison.Ordinal);

        // The same document as a PUT of another service: the same field, under the body.
        await api.Post(RestApiHarness.Service("other", "198.51.100.30", "10.200.2.30"));
        before = await api.ListText();
        var (putStatus, putAnswer) = await api.Send(HttpMethod.Put, "/service/other", body);
        Assert.Equal((HttpStatusCode)status, putStatus);
        Assert.StartsWith(error, putAnswer!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(before, await api.ListText());
    }

    [Fact]
    public async Task More_than_64_instances_are_refused()
    {
        var applications = new JsonArray(Enumerable.Range(1, 65).Select(i => (JsonNode)new JsonObject { ["ip"] = $"10.200.3.{i}" }).ToArray());
        var (status, answer) = await api.Post(new JsonObject { ["name"] = "big", ["serviceIP"] = "198.51.100.40", ["applications"] = applications.DeepClone() });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("body.applications: 65 instances; a service has at most 64", answer!["error"]!.GetValue<string>());
        applications.RemoveAt(64);
        Assert.Equal(HttpStatusCode.OK, (await api.Post(new JsonObject { ["name"] = "big", ["serviceIP"] = "198.51.100.40", ["applications"] = applications.DeepClone() })).Status);
    }

    [Fact]
    public async Task The_seeds_status_codes_stay_for_clusters()
    {
        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Post, "/service", Game)).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await api.Send(HttpMethod.Post, "/service", Game)).Status); // name taken
        Assert.Equal(HttpStatusCode.NotFound, (await api.Send(HttpMethod.Put, "/service/nosuch", Game)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Send(HttpMethod.Put, "/service/nosuch?drain=true", Game)).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Delete, "/service/game")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Send(HttpMethod.Delete, "/service/game")).Status);
    }

    [Fact]
    public async Task Service_drain_marks_the_instance_and_names_a_bad_request()
    {
        await api.Send(HttpMethod.Post, "/service", Game);

        var drained = api.Methods.Invoke("service.drain", Params("""{"name":"game","ip":"10.200.1.11"}"""))!;
        Assert.Equal("10.200.1.11", drained["ip"]!.GetValue<string>());
        Assert.Equal(0, drained["flowsMoved"]!.GetValue<int>()); // no forwarding plane behind this table: no flows
        Assert.True(drained["service"]!["applications"]![1]!["drain"]!.GetValue<bool>());
        Assert.Contains("\"ip\":\"10.200.1.11\",\"weight\":1,\"drain\":true", await api.ListText(), StringComparison.Ordinal);

        var notFound = Assert.Throws<ControlRpcException>(() => api.Methods.Invoke("service.drain", Params("""{"name":"nosuch","ip":"10.200.1.11"}""")));
        Assert.Equal(JsonRpcErrorCodes.NotFound, notFound.Code);
        var noInstance = Assert.Throws<ControlRpcException>(() => api.Methods.Invoke("service.drain", Params("""{"name":"game","ip":"10.200.1.99"}""")));
        Assert.Equal(JsonRpcErrorCodes.InvalidParams, noInstance.Code);
        Assert.StartsWith("params.ip: 10.200.1.99 is no instance of 'game'", noInstance.Message, StringComparison.Ordinal);
        var badIp = Assert.Throws<ControlRpcException>(() => api.Methods.Invoke("service.drain", Params("""{"name":"game","ip":"10.200.1"}""")));
        Assert.StartsWith("params.ip: '10.200.1' is not", badIp.Message, StringComparison.Ordinal);
        Assert.True(api.Methods.IsMutation("service.drain"));
    }

    [Fact]
    public async Task The_state_dump_gives_a_cluster_as_service_add_takes_it_and_restore_rebuilds_it()
    {
        await api.Send(HttpMethod.Post, "/service", Game);
        var dump = JsonNode.Parse(api.Methods.DumpState())!;
        Assert.Equal(
            """[{"applications":[{"drain":false,"ip":"10.200.1.10","weight":3},{"drain":false,"ip":"10.200.1.11","weight":1}],"name":"game","serviceIP":"198.51.100.20"}]""",
            dump["services"]!.ToJsonString());

        using var other = new RestApiHarness();
        other.Methods.Restore(JsonDocument.Parse(dump.ToJsonString()).RootElement, report => Assert.Fail(report));
        Assert.Equal(await api.ListText(), await other.ListText());
    }

    private static JsonElement Params(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
