using System.Text.Json;
using Dataplane.Control;
using Dataplane.Control.Socket;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.Time;

namespace Dataplane.Tests.Control;

/// <summary>
/// lisp.rloc-priority on the control methods of a plane without a running control plane (what a journal replay
/// meets): the local database changes, bad values are refused naming the field, and the change survives a restart
/// through the journal (a crash) and through the snapshot (a clean stop).
/// </summary>
public sealed class RlocPriorityMethodTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("dpc-rloc-").FullName;

    private DataplaneConfig Config => ControlTestConfig.Config() with { Control = new ControlConfig { StateDirectory = directory } };

    [Fact]
    public void A_priority_change_sets_the_local_rloc_and_survives_a_crash_and_a_clean_restart()
    {
        var reports = new List<string>();
        var first = Host(reports);
        var rloc = first.Methods.Context.LispTables!.LocalDatabase.Rlocs[0];
        Assert.NotEqual((7, 33), (rloc.Priority, rloc.Weight));

        var result = Invoke(first.Methods, $"{{\"rloc\":\"{rloc.Address}\",\"priority\":7,\"weight\":33}}");
        Assert.True(result!["changed"]!.GetValue<bool>());
        Assert.Equal((7, 33), Values(first));
        Assert.Contains($"{{\"priority\":7,\"rloc\":\"{rloc.Address}\",\"weight\":33}}", first.Methods.DumpState(), StringComparison.Ordinal);
        first.Store!.Dispose(); // a crash: only the journal holds the change

        var second = Host(reports);
        Assert.Equal((7, 33), Values(second));
        Invoke(second.Methods, $"{{\"rloc\":\"{rloc.Address}\",\"priority\":9}}"); // weight absent: unchanged
        Assert.Equal((9, 33), Values(second));
        second.Dispose(); // clean: the snapshot holds it, the journal is emptied

        using var third = Host(reports);
        Assert.Equal((9, 33), Values(third));
        Assert.Empty(reports);
    }

    [Theory]
    [InlineData("{\"rloc\":\"198.51.100.250\",\"priority\":1}", "params.rloc", "not one of this xTR's RLOCs")]
    [InlineData("{\"rloc\":\"not-an-address\",\"priority\":1}", "params.rloc", "not an IPv4 or IPv6 address")]
    [InlineData("{\"rloc\":\"RLOC\",\"priority\":256}", "params.priority", "")]
    [InlineData("{\"rloc\":\"RLOC\",\"priority\":-1}", "params.priority", "")]
    [InlineData("{\"rloc\":\"RLOC\"}", "params.priority", "")]
    [InlineData("{\"rloc\":\"RLOC\",\"priority\":1,\"weight\":300}", "params.weight", "")]
    [InlineData("{\"rloc\":\"RLOC\",\"priority\":1,\"extra\":1}", "params.extra", "")]
    public void Bad_values_are_refused_naming_the_field_and_change_nothing(string json, string field, string problem)
    {
        using var host = Host([]);
        var before = host.Methods.DumpState();
        string rloc = host.Methods.Context.LispTables!.LocalDatabase.Rlocs[0].Address.ToString();

        var error = Assert.Throws<ControlRpcException>(() => Invoke(host.Methods, json.Replace("RLOC", rloc, StringComparison.Ordinal)));

        Assert.Equal(JsonRpcErrorCodes.InvalidParams, error.Code);
        Assert.StartsWith(field + ":", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, host.Methods.DumpState());
    }

    private static (int Priority, int Weight) Values(ControlHost host)
    {
        var rloc = host.Methods.Context.LispTables!.LocalDatabase.Rlocs[0];
        return (rloc.Priority, rloc.Weight);
    }

    private ControlHost Host(List<string> reports)
    {
        var plane = ForwardingPlaneBuilder.Build(Config, new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000) });
        return ControlHost.Create(Config.Control, plane, reports.Add);
    }

    private static System.Text.Json.Nodes.JsonNode? Invoke(ControlMethods methods, string json)
    {
        using var parameters = JsonDocument.Parse(json);
        return methods.Invoke("lisp.rloc-priority", parameters.RootElement);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
