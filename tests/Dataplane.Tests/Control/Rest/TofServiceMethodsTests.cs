using System.Text.Json.Nodes;
using System.Text.Json;
using Dataplane.Control.Socket;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Tof;
using Dataplane.Tables.Time;

namespace Dataplane.Tests.Control.Rest;

/// <summary>service.* on the control socket side: error codes, state.dump, and restore of a snapshot.</summary>
public sealed class TofServiceMethodsTests
{
    private readonly ControlMethods methods = Methods(out _);

    [Fact]
    public void Conflicts_and_missing_services_have_their_own_error_codes()
    {
        Invoke("service.add", """{"name":"a","serviceIP":"198.51.100.1","applicationIP":"10.200.0.1"}""");

        var conflict = Assert.Throws<ControlRpcException>(() => Invoke("service.add", """{"name":"a","serviceIP":"198.51.100.2","applicationIP":"10.200.0.1"}"""));
        var missing = Assert.Throws<ControlRpcException>(() => Invoke("service.remove", """{"nameOrServiceIp":"b"}"""));
        var missingUpdate = Assert.Throws<ControlRpcException>(() => Invoke("service.update", """{"name":"b","service":{"name":"b","serviceIP":"198.51.100.2","applicationIP":"10.200.0.1"}}"""));
        var bad = Assert.Throws<ControlRpcException>(() => Invoke("service.add", """{"name":"c","serviceIP":"x","applicationIP":"10.200.0.1"}"""));

        Assert.Equal(JsonRpcErrorCodes.Conflict, conflict.Code);
        Assert.Equal(JsonRpcErrorCodes.NotFound, missing.Code);
        Assert.Equal(JsonRpcErrorCodes.NotFound, missingUpdate.Code);
        Assert.Equal(JsonRpcErrorCodes.InvalidParams, bad.Code);
        Assert.Equal("params.serviceIP: 'x' is not an IPv4 address (a.b.c.d) or an IPv6 address (2001:db8::1)", bad.Message);
        Assert.True(methods.IsMutation("service.add") && methods.IsMutation("service.update") && methods.IsMutation("service.remove"));
        Assert.False(methods.IsMutation("service.list"));
    }

    [Fact]
    public void Restore_makes_the_services_equal_to_the_snapshot_even_when_a_service_ip_moves_to_another_name()
    {
        Invoke("service.add", """{"name":"a","serviceIP":"198.51.100.1","applicationIP":"10.200.0.1"}""");
        Invoke("service.add", """{"name":"b","serviceIP":"198.51.100.2","applicationIP":"10.200.0.2"}""");
        var other = Methods(out var otherTable);
        other.Invoke("service.add", Params("""{"name":"b","serviceIP":"198.51.100.2","applicationIP":"10.200.0.2"}"""));
        other.Invoke("service.add", Params("""{"name":"c","serviceIP":"198.51.100.1","applicationIP":"10.200.0.3"}"""));
        var reports = new List<string>();

        methods.Restore(JsonDocument.Parse(other.DumpState()).RootElement, reports.Add);

        Assert.Empty(reports);
        Assert.Equal(other.DumpState(), methods.DumpState());
        Assert.Equal(["b", "c"], methods.Context.TofServices!.All.Select(s => s.Name));
        Assert.Equal(2, otherTable.All.Count);
    }

    [Fact]
    public void The_dump_lists_services_by_name_in_the_shape_service_add_takes()
    {
        Invoke("service.add", """{"name":"z","serviceIP":"198.51.100.1","applicationIP":"10.200.0.1"}""");
        Invoke("service.add", """{"name":"m","serviceIP":"198.51.100.2","applicationIP":"10.200.0.2"}""");

        var services = JsonNode.Parse(methods.DumpState())!["services"]!.AsArray();

        Assert.Equal(["m", "z"], services.Select(s => s!["name"]!.GetValue<string>()));
        Assert.Equal("""{"applicationIP":"10.200.0.2","name":"m","serviceIP":"198.51.100.2"}""", services[0]!.ToJsonString());
    }

    private static ControlMethods Methods(out TofServiceTable table)
    {
        var plane = ForwardingPlaneBuilder.Build(ControlTestConfig.Config(), new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000) });
        var methods = new ControlMethods(plane);
        table = new TofServiceTable();
        methods.Context.TofServices = table;
        return methods;
    }

    private static JsonElement Params(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private JsonNode? Invoke(string method, string json) => methods.Invoke(method, Params(json));
}
