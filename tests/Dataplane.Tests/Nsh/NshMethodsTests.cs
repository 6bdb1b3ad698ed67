using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Control;
using Dataplane.Control.Socket;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Nsh;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.Time;

namespace Dataplane.Tests.Nsh;

/// <summary>
/// nsh.function.* and nsh.path.* on the control methods: what they change in the tables the workers read, bad input
/// refused with the request's field named and the tables untouched, and the state after a crash (journal) and a
/// clean stop (snapshot).
/// </summary>
public sealed class NshMethodsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("dpc-nsh-state-").FullName;

    private DataplaneConfig Config => DataplaneConfigFile.Parse(NshConfigurationTests.Example()) with { Control = new ControlConfig { StateDirectory = directory } };

    [Fact]
    public void Functions_and_paths_change_the_tables_the_workers_read()
    {
        using var host = Host([]);
        var feature = host.Methods.Context.Plane.Feature<NshFeature>()!;
        var before = feature.Tables;

        Invoke(host.Methods, "nsh.function.add", """{"name":"fw2","transport":"vxlan-gpe","address":"198.51.100.22","vni":9}""");
        Invoke(host.Methods, "nsh.path.add", """{"spi":40,"hops":["fw2","dpi1","fw1"],"end":"drop"}""");
        var tables = feature.Tables;
        Assert.NotSame(before, tables);
        Assert.Equal(["fw2", "dpi1", "fw1"], tables.Paths[40].Hops.Select(h => h.Name));
        Assert.False(tables.Paths[40].RouteAtEnd);
        Assert.Equal(9u, tables.Functions["fw2"].Vni);
        Assert.Same(before.Paths[10].Counters, tables.Paths[10].Counters); // untouched paths keep their counters

        var replaced = Invoke(host.Methods, "nsh.path.add", """{"spi":10,"hops":["fw2"]}""");
        Assert.True(replaced!["replaced"]!.GetValue<bool>());
        Assert.Equal(["fw2"], feature.Tables.Paths[10].Hops.Select(h => h.Name));
        Assert.Same(before.Paths[10].Counters, feature.Tables.Paths[10].Counters); // ... and so does a replaced one

        Invoke(host.Methods, "nsh.path.remove", """{"spi":40}""");
        Assert.False(feature.Tables.Paths.ContainsKey(40));

        var list = Invoke(host.Methods, "nsh.path.list", "{}")!.AsArray();
        Assert.Equal([10u, 20u], list.Select(p => p!["spi"]!.GetValue<uint>()));
        Assert.Equal(0, list[0]!["packets"]!.GetValue<long>());
        var functions = Invoke(host.Methods, "nsh.function.list", "{}")!.AsArray();
        Assert.Equal(["dpi1", "fw1", "fw2"], functions.Select(f => f!["name"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("nsh.path.add", """{"spi":40,"hops":["fw1","nope"]}""", "params.hops[1]: 'nope' is not a service function")]
    [InlineData("nsh.path.add", """{"spi":40,"hops":[]}""", "params.hops: 0 hops")]
    [InlineData("nsh.path.add", """{"spi":40,"hops":["fw1"],"end":"loop"}""", "params.end: 'loop' is not one of")]
    [InlineData("nsh.path.add", """{"spi":0,"hops":["fw1"]}""", "params.spi")]
    [InlineData("nsh.path.add", """{"spi":16777216,"hops":["fw1"]}""", "params.spi")]
    [InlineData("nsh.path.remove", """{"spi":77}""", "params.spi: no service path 77")]
    [InlineData("nsh.function.add", """{"name":"bad name","transport":"ethernet","mac":"02:00:00:00:00:31","port":"sf"}""", "params.name")]
    [InlineData("nsh.function.add", """{"name":"fw3","transport":"gre"}""", "params.transport: 'gre' is not one of")]
    [InlineData("nsh.function.add", """{"name":"fw3","transport":"vxlan-gpe","address":"192.0.2.1"}""", "params.address: 192.0.2.1 is our own address")]
    [InlineData("nsh.function.add", """{"name":"fw3","transport":"ethernet","mac":"02:00:00:00:00:31","port":"nowhere"}""", "params.port: 'nowhere' is not a port")]
    [InlineData("nsh.function.remove", """{"name":"fw1"}""", "params.name: paths 10, 20 go through 'fw1'")]
    [InlineData("nsh.function.remove", """{"name":"fw9"}""", "params.name: no service function 'fw9'")]
    [InlineData("nsh.path.add", """{"spi":40,"hops":["fw1"],"color":"red"}""", "color")]
    public void Bad_input_is_refused_with_the_field_and_the_tables_stay(string method, string parameters, string problem)
    {
        using var host = Host([]);
        var feature = host.Methods.Context.Plane.Feature<NshFeature>()!;
        var before = feature.Tables;
        string state = host.Methods.DumpState();

        var error = Assert.Throws<ControlRpcException>(() => Invoke(host.Methods, method, parameters));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Same(before, feature.Tables);
        Assert.Equal(state, host.Methods.DumpState());
    }

    [Fact]
    public void The_changes_come_back_after_a_crash_from_the_journal_and_after_a_clean_stop_from_the_snapshot()
    {
        var reports = new List<string>();
        var first = Host(reports);
        Invoke(first.Methods, "nsh.function.add", """{"name":"fw2","transport":"vxlan-gpe","address":"198.51.100.22","vni":9}""");
        Invoke(first.Methods, "nsh.path.add", """{"spi":40,"hops":["fw2","dpi1"],"instanceId":0}""");
        Invoke(first.Methods, "nsh.path.remove", """{"spi":20}""");
        Invoke(first.Methods, "nsh.path.add", """{"spi":10,"hops":["fw2"]}""");
        Invoke(first.Methods, "nsh.function.remove", """{"name":"fw1"}""");
        string expected = first.Methods.DumpState();
        first.Store!.Dispose(); // a crash: only the journal

        var second = Host(reports);
        Assert.Equal(expected, second.Methods.DumpState());
        Assert.Empty(reports);
        second.Dispose(); // clean: a snapshot

        using var third = Host(reports);
        Assert.Equal(expected, third.Methods.DumpState());
        Assert.Empty(reports);
        var tables = third.Methods.Context.Plane.Feature<NshFeature>()!.Tables;
        Assert.Equal([10u, 40u], tables.Paths.Keys.Order());
        Assert.False(tables.Functions.ContainsKey("fw1"));
        var dumped = JsonNode.Parse(expected)!;
        Assert.Equal(["dpi1", "fw2"], dumped["nshFunctions"]!.AsArray().Select(f => f!["name"]!.GetValue<string>()));
    }

    private ControlHost Host(List<string> reports)
    {
        var plane = ForwardingPlaneBuilder.Build(Config, new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000) });
        return ControlHost.Create(Config.Control, plane, reports.Add);
    }

    private static JsonNode? Invoke(ControlMethods methods, string method, string json)
    {
        using var parameters = JsonDocument.Parse(json);
        return methods.Invoke(method, parameters.RootElement);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
