using System.Text.Json;
using Dataplane.Control.Persistence;
using Dataplane.Control.Socket;
using Dataplane.Control;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.MapCache;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Control;

/// <summary>Journal and snapshot: a new plane on the same state directory ends with the same rule state.</summary>
public sealed class PersistenceTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("dpc-state-").FullName;

    private DataplaneConfig Config => ControlTestConfig.Config() with { Control = new ControlConfig { StateDirectory = directory } };

    [Fact]
    public void After_a_crash_the_journal_brings_back_the_same_state_and_after_a_clean_stop_the_snapshot_does()
    {
        var reports = new List<string>();
        var first = Host(reports);
        Mutate(first.Methods);
        string expected = first.Methods.DumpState();
        first.Store!.Dispose(); // a crash: no final snapshot, only the journal
        Assert.Equal(5, File.ReadAllLines(Path.Combine(directory, StateStore.JournalName)).Length);

        var second = Host(reports);
        Assert.Equal(expected, second.Methods.DumpState());
        Assert.Empty(reports);
        second.Dispose(); // clean: snapshot written, journal emptied
        Assert.Equal(0, new FileInfo(Path.Combine(directory, StateStore.JournalName)).Length);

        using var third = Host(reports);
        Assert.Equal(expected, third.Methods.DumpState());
        Assert.Empty(reports);
        // The removal of an entry from the configuration file survived too.
        Assert.False(third.Methods.Context.LispTables!.MapCache.TryGet(EidPrefix.Parse("[7]10.4.0.0/16"), out _));
    }

    [Fact]
    public void A_torn_last_journal_line_is_ignored_and_reported()
    {
        File.WriteAllText(Path.Combine(directory, StateStore.JournalName),
            "{\"method\":\"localeid.add\",\"params\":{\"eid\":\"[7]10.7.0.0/24\"}}\n{\"method\":\"localeid.add\",\"params\":{\"eid\":\"[7]10.8");
        var reports = new List<string>();

        using var host = Host(reports);

        Assert.True(host.Methods.Context.LispTables!.LocalDatabase.IsLocalEid(7, IpAddress.Parse("10.7.0.1")));
        Assert.Contains(reports, r => r.Contains("line 2 is torn", StringComparison.Ordinal));
    }

    [Fact]
    public void A_journal_line_that_no_longer_applies_is_reported_not_fatal()
    {
        File.WriteAllText(Path.Combine(directory, StateStore.JournalName),
            "{\"method\":\"neighbour.add\",\"params\":{\"address\":\"192.0.2.9\",\"mac\":\"02:00:00:00:00:09\",\"port\":\"gone\"}}\n" +
            "{\"method\":\"localeid.add\",\"params\":{\"eid\":\"[7]10.7.0.0/24\"}}\n");
        var reports = new List<string>();

        using var host = Host(reports);

        Assert.Contains(reports, r => r.Contains("line 1 no longer applies", StringComparison.Ordinal) && r.Contains("no port named 'gone'", StringComparison.Ordinal));
        Assert.True(host.Methods.Context.LispTables!.LocalDatabase.IsLocalEid(7, IpAddress.Parse("10.7.0.1")));
    }

    [Fact]
    public void The_journal_is_compacted_into_the_snapshot_every_N_entries()
    {
        var plane = ForwardingPlaneBuilder.Build(Config, new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000) });
        var methods = new ControlMethods(plane);
        using var store = new StateStore(directory, compactAfter: 3);
        methods.Journal = store;

        for (int i = 0; i < 4; i++)
        {
            Invoke(methods, "localeid.add", $"{{\"eid\":\"[9]10.{i}.0.0/16\"}}");
        }

        Assert.Single(File.ReadAllLines(store.JournalPath));
        using var snapshot = JsonDocument.Parse(File.ReadAllText(store.SnapshotPath));
        Assert.Equal(3, snapshot.RootElement.GetProperty("localEids").EnumerateArray().Count(e => e.GetString()!.StartsWith("[9]", StringComparison.Ordinal)));
        Assert.False(File.Exists(store.SnapshotPath + ".tmp"));
    }

    private ControlHost Host(List<string> reports)
    {
        var plane = ForwardingPlaneBuilder.Build(Config, new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000) });
        return ControlHost.Create(Config.Control, plane, reports.Add);
    }

    private static void Mutate(ControlMethods methods)
    {
        Invoke(methods, "mapcache.add", "{\"eid\":\"[7]10.9.0.0/16\",\"locators\":[{\"address\":\"198.51.100.9\",\"priority\":2,\"weight\":40,\"up\":false}],\"ttlMinutes\":30}");
        Invoke(methods, "mapcache.remove", "{\"eid\":\"[7]10.4.0.0/16\"}");
        Invoke(methods, "localeid.add", "{\"eid\":\"[7]2001:db8:7::/48\"}");
        Invoke(methods, "neighbour.add", "{\"address\":\"192.0.2.77\",\"mac\":\"02:00:00:00:77:77\",\"port\":\"rloc-side\"}");
        Invoke(methods, "tunnel.add", "{\"name\":\"ue2\",\"localAddress\":\"192.0.2.1\",\"peerAddress\":\"192.0.2.11\",\"teidIn\":300,\"teidOut\":600,\"ueAddress\":\"10.45.0.0/24\",\"instanceId\":7,\"qfi\":5}");
    }

    private static void Invoke(ControlMethods methods, string method, string json)
    {
        using var parameters = JsonDocument.Parse(json);
        methods.Invoke(method, parameters.RootElement);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
