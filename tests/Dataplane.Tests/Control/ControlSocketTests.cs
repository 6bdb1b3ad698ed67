using System.Text.Json.Nodes;
using Dataplane.Control.Logging;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Lisp;
using Dataplane.Tables.Gtp;
using Dataplane.Tables.MapCache;
using Dataplane.Tests.Lisp;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Control;

/// <summary>Each method against an in-process server: the change lands in the tables the workers read.</summary>
public sealed class ControlSocketTests : IDisposable
{
    private readonly ControlFixture fixture = new();

    private LispTables Lisp => fixture.Methods.Context.LispTables!;

    [Fact]
    public void Mapcache_add_reaches_the_worker_and_remove_takes_it_away()
    {
        var frame = LispTestFrames.Ipv4Udp("10.1.0.10", "10.9.0.5");
        var before = fixture.Harness.Process([frame])[0];
        Assert.False(before.Transmitted && before.Port == 1 && OuterDestination(before.Bytes) == "198.51.100.9");

        var added = fixture.Result("mapcache.add", new JsonObject
        {
            ["eid"] = "[7]10.9.0.0/16",
            ["locators"] = new JsonArray(new JsonObject { ["address"] = "198.51.100.9", ["priority"] = 1, ["weight"] = 100 }),
            ["ttlMinutes"] = 10,
        })!;

        Assert.False(added["replaced"]!.GetValue<bool>());
        // The worker's own path: LPM -> slot -> entry, then a packet through the pipeline, encapsulated toward the new RLOC.
        Assert.True(Lisp.Index.TryLookup(7, Ipv4Address.Parse("10.9.1.2"), out uint slot));
        Assert.Equal("[7]10.9.0.0/16", Lisp.MapCache.View[slot]!.Prefix.ToString());
        var after = fixture.Harness.Process([frame])[0];
        Assert.True(after.Transmitted);
        Assert.Equal(1, after.Port);
        Assert.Equal("198.51.100.9", OuterDestination(after.Bytes));

        var listed = fixture.Result("mapcache.list")!.AsArray().Single(e => e!["eid"]!.GetValue<string>() == "[7]10.9.0.0/16")!;
        Assert.Equal(600, listed["remainingSeconds"]!.GetValue<long>());
        fixture.Harness.Clock.Advance(TimeSpan.FromMinutes(1));
        listed = fixture.Result("mapcache.list")!.AsArray().Single(e => e!["eid"]!.GetValue<string>() == "[7]10.9.0.0/16")!;
        Assert.Equal(540, listed["remainingSeconds"]!.GetValue<long>());

        Assert.True(fixture.Result("mapcache.remove", new JsonObject { ["eid"] = "[7]10.9.0.0/16" })!["removed"]!.GetValue<bool>());
        Assert.False(Lisp.MapCache.TryGet(EidPrefix.Parse("[7]10.9.0.0/16"), out _));
        Assert.False(Lisp.Index.TryLookup(7, Ipv4Address.Parse("10.9.1.2"), out _));
    }

    [Fact]
    public void Mapcache_add_makes_a_negative_entry_with_an_action()
    {
        fixture.Result("mapcache.add", new JsonObject { ["eid"] = "[7]10.8.0.0/16", ["action"] = "native-forward" });

        Assert.True(Lisp.MapCache.TryGet(EidPrefix.Parse("[7]10.8.0.0/16"), out var entry));
        Assert.True(entry.IsNegative);
        Assert.Equal(NegativeAction.NativelyForward, entry.Action);
        var listed = fixture.Result("mapcache.list")!.AsArray().Single(e => e!["eid"]!.GetValue<string>() == "[7]10.8.0.0/16")!;
        Assert.Equal("native-forward", listed["action"]!.GetValue<string>());
        Assert.Null(listed["remainingSeconds"]);
    }

    [Fact]
    public void Localeid_add_list_remove()
    {
        fixture.Result("localeid.add", new JsonObject { ["eid"] = "[7]10.7.0.0/24" });
        Assert.True(Lisp.LocalDatabase.IsLocalEid(7, Ipv4Address.Parse("10.7.0.9")));
        Assert.Contains("[7]10.7.0.0/24", fixture.Result("localeid.list")!.AsArray().Select(e => e!.GetValue<string>()));

        fixture.Result("localeid.remove", new JsonObject { ["eid"] = "[7]10.7.0.0/24" });
        Assert.False(Lisp.LocalDatabase.IsLocalEid(7, Ipv4Address.Parse("10.7.0.9")));
    }

    [Fact]
    public void Neighbour_add_list_remove()
    {
        var address = IpAddress.Parse("192.0.2.77");
        fixture.Result("neighbour.add", new JsonObject { ["address"] = "192.0.2.77", ["mac"] = "02:00:00:00:77:77", ["port"] = "rloc-side" });

        Assert.True(fixture.Harness.Plane.Neighbours.TryGet(address, out var neighbour));
        Assert.Equal((ushort)1, neighbour.Port);
        Assert.Equal(MacAddress.Parse("02:00:00:00:77:77"), neighbour.Mac);
        var listed = fixture.Result("neighbour.list")!.AsArray().Single(n => n!["address"]!.GetValue<string>() == "192.0.2.77")!;
        Assert.True(listed["static"]!.GetValue<bool>());
        Assert.Equal("rloc-side", listed["port"]!.GetValue<string>());

        fixture.Result("neighbour.remove", new JsonObject { ["address"] = "192.0.2.77" });
        Assert.False(fixture.Harness.Plane.Neighbours.TryGet(address, out _));
    }

    [Fact]
    public void Tunnel_add_replace_list_remove()
    {
        var table = fixture.Methods.Context.Tunnels!;
        var tunnel = new JsonObject
        {
            ["name"] = "ue2", ["localAddress"] = "192.0.2.1", ["peerAddress"] = "192.0.2.11", ["teidIn"] = 300, ["teidOut"] = 600, ["ueAddress"] = "10.45.0.3",
        };
        fixture.Result("tunnel.add", tunnel);
        var key = new GtpUTunnelKey(IpAddress.Parse("192.0.2.11"), IpAddress.Parse("192.0.2.1"), 300);
        Assert.True(table.Snapshot.TryGet(key, out var found));
        Assert.Equal(600u, found!.TeidOut);

        tunnel["teidIn"] = 301;
        Assert.True(fixture.Result("tunnel.add", tunnel)!["replaced"]!.GetValue<bool>());
        Assert.False(table.Snapshot.TryGet(key, out _));
        Assert.True(table.Snapshot.TryGet(new GtpUTunnelKey(IpAddress.Parse("192.0.2.11"), IpAddress.Parse("192.0.2.1"), 301), out _));
        Assert.Equal(["ue1", "ue2"], fixture.Result("tunnel.list")!.AsArray().Select(t => t!["name"]!.GetValue<string>()));

        fixture.Result("tunnel.remove", new JsonObject { ["name"] = "ue2" });
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Counters_ports_log_level_and_vxlan_list()
    {
        fixture.Harness.Process([LispTestFrames.Ipv4Udp("10.1.0.10", "10.2.0.5"), LispTestFrames.Ipv4Udp("10.1.0.10", "10.2.0.6")]);

        var counters = fixture.Result("counters.get")!;
        Assert.Equal(2, counters["received"]!.GetValue<long>());
        Assert.True(counters["conserved"]!.GetValue<bool>());
        Assert.Equal(2, counters["events"]!["LispEncapsulated"]!.GetValue<long>());
        Assert.Equal(2, counters["workers"]![0]!["received"]!.GetValue<long>());
        Assert.Empty(fixture.Result("ports.stats")!.AsArray()); // no ports opened in-process

        using (var logged = new StringWriter())
        using (var logging = DaemonLogging.Create(LogFormat.Plain, Microsoft.Extensions.Logging.LogLevel.Information, logged))
        {
            fixture.Methods.Context.Logging = logging;
            var changed = fixture.Result("log.set-level", new JsonObject { ["level"] = "debug" })!;
            Assert.Equal("debug", changed["level"]!.GetValue<string>());
            Assert.Equal("information", changed["previous"]!.GetValue<string>());
            Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, logging.Filter.Level);
            Assert.Contains("log level information -> debug", logged.ToString(), StringComparison.Ordinal);
            fixture.Methods.Context.Logging = DaemonLogging.Silent;
        }

        var vxlan = fixture.Call("vxlan.list");
        Assert.Equal(-32601, vxlan["error"]!["code"]!.GetValue<int>());
        Assert.Contains("no role vtep", vxlan["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void State_dump_is_sorted_and_equal_states_dump_byte_identical()
    {
        // The same two entries added in opposite orders into two planes.
        using var other = new ControlFixture();
        var a = new JsonObject { ["eid"] = "[7]10.20.0.0/16", ["locators"] = new JsonArray(new JsonObject { ["address"] = "198.51.100.20" }) };
        var b = new JsonObject { ["eid"] = "[7]10.10.0.0/16", ["action"] = "drop" };
        fixture.Result("mapcache.add", a.DeepClone().AsObject());
        fixture.Result("mapcache.add", b.DeepClone().AsObject());
        other.Result("mapcache.add", b.DeepClone().AsObject());
        other.Result("mapcache.add", a.DeepClone().AsObject());

        string dump = fixture.Dump();
        Assert.Equal(dump, other.Dump());
        var eids = JsonNode.Parse(dump)!["mapCache"]!.AsArray().Select(e => e!["eid"]!.GetValue<string>()).ToList();
        Assert.Equal(eids.OrderBy(e => EidPrefix.Parse(e), Comparer<EidPrefix>.Create(Dataplane.Control.Socket.LispMethods.ComparePrefixes)), eids);
        Assert.Equal(["localEids", "localRlocs", "mapCache", "neighbours", "nshFunctions", "nshPaths", "services", "trafficRules", "tunnels", "vxlanDomains"], JsonNode.Parse(dump)!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void The_socket_file_is_mode_0660()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix sockets and modes are Linux here");
        var mode = OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(fixture.SocketPath);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, mode);
    }

    [Fact]
    public void A_second_server_on_a_live_socket_is_refused()
    {
        var error = Assert.Throws<IOException>(() => new Dataplane.Control.Socket.ControlServer(fixture.SocketPath, fixture.Methods));

        Assert.Contains("another process is listening", error.Message, StringComparison.Ordinal);
        Assert.NotNull(fixture.Result("localeid.list")); // the first one still answers
    }

    [Fact]
    public void Many_requests_on_one_connection_are_answered_in_order()
    {
        using var socket = fixture.Connect();
        var lines = string.Concat(Enumerable.Range(0, 50).Select(i =>
            "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"localeid.add\",\"params\":{\"eid\":\"[9]10." + i + ".0.0/16\"}}\n"));
        ControlFixture.Send(socket, lines);
        for (int i = 0; i < 50; i++)
        {
            var reply = ControlFixture.ReadReply(socket)!;
            Assert.Equal(i, reply["id"]!.GetValue<int>());
            Assert.True(reply["result"]!["added"]!.GetValue<bool>());
        }

        Assert.Equal(50, Lisp.LocalDatabase.EidPrefixes.ToArray().Count(p => p.InstanceId == 9));
    }

    private static string OuterDestination(byte[] frame) => new Ipv4Address(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(14 + 16))).ToString();

    public void Dispose() => fixture.Dispose();
}
