using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Control;
using Dataplane.Control.Persistence;
using Dataplane.Control.Socket;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Vxlan;
using Dataplane.Tables.Time;
using Dataplane.Tests.Vxlan;

namespace Dataplane.Tests.Control;

/// <summary>
/// vxlan.domain.*, vxlan.vtep.* and vxlan.mac.* on the control methods: what they change in the tables the workers
/// read, the errors for bad input (each naming what is wrong, tables untouched), and the state after a restart from
/// the journal and from the snapshot.
/// </summary>
public sealed class VxlanTableMethodsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("dpc-vxlan-state-").FullName;

    /// <summary>VxlanFrames.L2Config (VNI 5000 on access0, VTEPs .2 and .3) with a second access port and a state directory.</summary>
    private DataplaneConfig Config => DataplaneConfigFile.Parse(VxlanFrames.L2Config
            .Replace("""{ "name": "access0", "mac": "02:00:00:00:00:a0" }""", """{ "name": "access0", "mac": "02:00:00:00:00:a0" }, { "name": "access1", "mac": "02:00:00:00:00:a1" }"""))
        with { Control = new ControlConfig { StateDirectory = directory } };

    [Fact]
    public void Domains_vteps_and_static_macs_change_the_tables_the_workers_read()
    {
        using var host = Host([]);
        var feature = host.Methods.Context.Plane.Feature<VxlanFeature>()!;

        Invoke(host.Methods, "vxlan.domain.add", """{"vni":5001,"ports":["access1"],"remoteVteps":["198.51.100.7"]}""");
        Invoke(host.Methods, "vxlan.vtep.add", """{"vni":5000,"vtep":"198.51.100.4"}""");
        Invoke(host.Methods, "vxlan.mac.add", """{"vni":5000,"mac":"02:00:00:00:44:44","vtep":"198.51.100.4"}""");
        Invoke(host.Methods, "vxlan.mac.remove", """{"vni":5000,"mac":"02:aa:00:00:00:02"}""");

        var tables = feature.Tables;
        var five = tables.Vnis[5000].Domain!;
        var one = tables.Vnis[5001].Domain!;
        Assert.Equal(["198.51.100.2", "198.51.100.3", "198.51.100.4"], five.RemoteVteps.Select(v => tables.RemoteVteps[v].ToString()));
        Assert.Equal(["198.51.100.7"], one.RemoteVteps.Select(v => tables.RemoteVteps[v].ToString()));
        Assert.Same(one, tables.DomainOfPort[2]);
        Assert.Equal([0x0200_0000_4444UL], five.StaticMacs.Keys);
        Assert.NotEqual(five.Index, one.Index);

        // Adding an existing VNI replaces it whole.
        var replaced = Invoke(host.Methods, "vxlan.domain.add", """{"vni":5001,"ports":["access1"],"remoteVteps":["198.51.100.8"]}""");
        Assert.True(replaced!["replaced"]!.GetValue<bool>());
        tables = feature.Tables;
        Assert.Equal(["198.51.100.8"], tables.Vnis[5001].Domain!.RemoteVteps.Select(v => tables.RemoteVteps[v].ToString()));

        var removed = Invoke(host.Methods, "vxlan.domain.remove", """{"vni":5001}""");
        Assert.True(removed!["removed"]!.GetValue<bool>());
        Assert.False(feature.Tables.Vnis.ContainsKey(5001));
        Assert.Null(feature.Tables.DomainOfPort[2]);
    }

    [Theory]
    [InlineData("vxlan.domain.add", """{"vni":5001,"ports":["access0"]}""", "vxlan.bridgeDomains[1].ports[0]: port 'access0' is already an access port")]
    [InlineData("vxlan.domain.add", """{"vni":5001,"ports":["nope"]}""", "vxlan.bridgeDomains[1].ports[0]")]
    [InlineData("vxlan.domain.add", """{"vni":5001,"ports":[]}""", "params.ports: at least one access port")]
    [InlineData("vxlan.domain.add", """{"vni":16777216,"ports":["access1"]}""", "params.vni")]
    [InlineData("vxlan.domain.remove", """{"vni":42}""", "params.vni: no bridge domain with VNI 42")]
    [InlineData("vxlan.vtep.add", """{"vni":5000,"vtep":"192.0.2.1"}""", "is our own VTEP address")]
    [InlineData("vxlan.vtep.add", """{"vni":5000,"vtep":"2001:db8::9"}""", "there is no local VTEP address of its family")]
    [InlineData("vxlan.vtep.add", """{"vni":5000,"vtep":"not-an-address"}""", "params.vtep: 'not-an-address' is not an IPv4 or IPv6 address")]
    [InlineData("vxlan.vtep.remove", """{"vni":5000,"vtep":"198.51.100.9"}""", "params.vtep: 198.51.100.9 is not in the flood list of VNI 5000")]
    [InlineData("vxlan.vtep.remove", """{"vni":5000,"vtep":"198.51.100.2"}""", "static MACs of VNI 5000 point at 198.51.100.2")]
    [InlineData("vxlan.mac.add", """{"vni":5000,"mac":"02:00:00:00:44:44","vtep":"198.51.100.9"}""", "is not one of this domain's remoteVteps")]
    [InlineData("vxlan.mac.add", """{"vni":5000,"mac":"01:00:5e:00:00:01","port":"access0"}""", "is a multicast/broadcast MAC")]
    [InlineData("vxlan.mac.add", """{"vni":5000,"mac":"02:00:00:00:44:44"}""", "give exactly one of vtep and port")]
    [InlineData("vxlan.mac.add", """{"vni":5000,"mac":"zz","port":"access0"}""", "params.mac: 'zz' is not a MAC address")]
    [InlineData("vxlan.mac.remove", """{"vni":5000,"mac":"02:00:00:00:44:44"}""", "params.mac: VNI 5000 has no static MAC 02:00:00:00:44:44")]
    public void Bad_input_is_refused_with_what_is_wrong_and_the_tables_stay(string method, string parameters, string problem)
    {
        using var host = Host([]);
        var feature = host.Methods.Context.Plane.Feature<VxlanFeature>()!;
        var before = feature.Tables;
        string state = host.Methods.DumpState();

        var error = Assert.Throws<ControlRpcException>(() => Invoke(host.Methods, method, parameters));

        Assert.Equal(JsonRpcErrorCodes.InvalidParams, error.Code);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Same(before, feature.Tables);
        Assert.Equal(state, host.Methods.DumpState());
    }

    [Fact]
    public void The_changes_come_back_after_a_crash_from_the_journal_and_after_a_clean_stop_from_the_snapshot()
    {
        var reports = new List<string>();
        var first = Host(reports);
        Invoke(first.Methods, "vxlan.domain.add", """{"vni":5001,"ports":["access1"],"remoteVteps":["198.51.100.7"],"staticMacs":[{"mac":"02:00:00:00:55:55","port":"access1"}]}""");
        Invoke(first.Methods, "vxlan.vtep.add", """{"vni":5000,"vtep":"198.51.100.4"}""");
        Invoke(first.Methods, "vxlan.mac.remove", """{"vni":5000,"mac":"02:aa:00:00:00:02"}""");
        Invoke(first.Methods, "vxlan.vtep.remove", """{"vni":5000,"vtep":"198.51.100.2"}""");
        string expected = first.Methods.DumpState();
        first.Store!.Dispose(); // a crash: only the journal

        var second = Host(reports);
        Assert.Equal(expected, second.Methods.DumpState());
        Assert.Empty(reports);
        second.Dispose(); // clean: a snapshot

        using var third = Host(reports);
        Assert.Equal(expected, third.Methods.DumpState());
        Assert.Empty(reports);
        var tables = third.Methods.Context.Plane.Feature<VxlanFeature>()!.Tables;
        Assert.Equal(["198.51.100.3", "198.51.100.4"], tables.Vnis[5000].Domain!.RemoteVteps.Select(v => tables.RemoteVteps[v].ToString()));
        Assert.True(tables.Vnis.ContainsKey(5001));
        var dumped = JsonNode.Parse(expected)!["vxlanDomains"]!.AsArray();
        Assert.Equal([5000u, 5001u], dumped.Select(d => d!["vni"]!.GetValue<uint>()));
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
