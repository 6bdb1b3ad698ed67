using System.Text;
using System.Text.Json.Nodes;
using Dataplane.Control.Socket;

namespace Dataplane.Tests.Control;

/// <summary>Bad requests: an error naming the problem, the state unchanged, the server still answering.</summary>
public sealed class ControlSocketErrorTests : IDisposable
{
    private readonly ControlFixture fixture = new(partialLineTimeout: TimeSpan.FromMilliseconds(500));

    [Theory]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":", -32700, "parse error")]
    [InlineData("[1,2]", -32600, "a request is a JSON object")]
    [InlineData("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"mapcache.list\"}", -32600, "\"jsonrpc\" must be \"2.0\"")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"mapcache.frobnicate\"}", -32601, "unknown method 'mapcache.frobnicate'")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"mapcache.add\",\"params\":[1]}", -32602, "params: expected an object, got an array")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"mapcache.add\",\"params\":{\"eid\":\"10.0.0.0/33\"}}", -32602, "params.eid: '10.0.0.0/33' is not a prefix: mask length 33 > 32")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"mapcache.add\",\"params\":{\"eid\":\"[7]10.1.2.0/16\"}}", -32602, "params.eid: '[7]10.1.2.0/16' is not a prefix: host bits are set")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"mapcache.add\",\"params\":{\"eid\":7}}", -32602, "params.eid: expected a string, got a number")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"mapcache.add\",\"params\":{\"eid\":\"[7]10.9.0.0/16\",\"ttlMinutes\":\"ten\"}}", -32602, "params.ttlMinutes: expected an integer")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"mapcache.add\",\"params\":{\"eid\":\"[7]10.9.0.0/16\",\"ttl\":5}}", -32602, "params.ttl: unknown parameter")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"mapcache.add\",\"params\":{\"eid\":\"[7]10.9.0.0/16\",\"locators\":[{\"address\":\"198.51.100.1\"},{\"address\":\"nope\"}]}}", -32602, "params.locators[1].address: 'nope' is not an IPv4 or IPv6 address")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"mapcache.add\",\"params\":{\"eid\":\"[7]10.9.0.0/16\",\"locators\":[{\"address\":\"198.51.100.1\",\"priority\":256}]}}", -32602, "params.locators[0].priority: 256 is outside 0..255")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"mapcache.add\",\"params\":{\"eid\":\"[7]10.9.0.0/16\",\"action\":\"explode\"}}", -32602, "params.action: 'explode' is not one of")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"mapcache.remove\",\"params\":{\"eid\":\"[7]10.99.0.0/16\"}}", -32602, "params.eid: no map-cache entry for [7]10.99.0.0/16")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"mapcache.add\",\"params\":{}}", -32602, "params.eid: missing")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"neighbour.add\",\"params\":{\"address\":\"192.0.2.9\",\"mac\":\"02:00:00:00:00:09\",\"port\":\"eth9\"}}", -32602, "params.port: no port named 'eth9'")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"neighbour.add\",\"params\":{\"address\":\"192.0.2.9\",\"mac\":\"zz\",\"port\":\"eid-side\"}}", -32602, "params.mac: 'zz' is not a MAC address")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tunnel.add\",\"params\":{\"name\":\"t\",\"localAddress\":\"192.0.2.1\",\"peerAddress\":\"192.0.2.12\",\"teidIn\":0,\"teidOut\":5,\"ueAddress\":\"10.45.0.9\"}}", -32602, "params.teidIn: TEID 0 is reserved")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tunnel.add\",\"params\":{\"name\":\"t\",\"localAddress\":\"192.0.2.1\",\"peerAddress\":\"192.0.2.12\",\"teidIn\":9,\"teidOut\":5,\"ueAddress\":\"10.45.0.2\"}}", -32602, "params.ueAddress: tunnel 'ue1' already serves")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tunnel.add\",\"params\":{\"name\":\"t\",\"localAddress\":\"203.0.113.1\",\"peerAddress\":\"192.0.2.12\",\"teidIn\":9,\"teidOut\":5,\"ueAddress\":\"10.45.0.9\"}}", -32602, "params.localAddress: 203.0.113.1 is not one of the port addresses")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"log.set-level\",\"params\":{\"level\":\"loud\"}}", -32602, "params.level: 'loud' is not one of: trace, debug, information, warning, error, critical")]
    public void A_bad_request_gets_an_error_naming_it_and_changes_nothing(string line, int code, string message)
    {
        string before = fixture.Dump();

        var reply = fixture.Raw(line);

        Assert.Equal(code, reply["error"]!["code"]!.GetValue<int>());
        Assert.Contains(message, reply["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(before, fixture.Dump());
        Assert.NotNull(fixture.Result("mapcache.list"));
    }

    [Fact]
    public void A_request_over_1_MiB_is_refused_and_the_connection_closed()
    {
        string before = fixture.Dump();
        using var socket = fixture.Connect();
        string huge = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"localeid.add\",\"params\":{\"eid\":\"" + new string('x', ControlServer.MaxRequestBytes) + "\"}}\n";

        try
        {
            ControlFixture.Send(socket, huge);
        }
        catch (System.Net.Sockets.SocketException)
        {
            // The server may close while we are still sending; its reply is already in our receive buffer.
        }

        var reply = ControlFixture.ReadReply(socket)!;
        Assert.Equal(-32600, reply["error"]!["code"]!.GetValue<int>());
        Assert.Matches(@"request too large \(\d+ bytes, limit 1048576\)", reply["error"]!["message"]!.GetValue<string>());
        Assert.Null(ControlFixture.ReadReply(socket)); // closed
        Assert.Equal(before, fixture.Dump());
    }

    [Fact]
    public void A_client_stalled_in_the_middle_of_a_line_is_cut_off()
    {
        string before = fixture.Dump();
        using var socket = fixture.Connect();
        ControlFixture.Send(socket, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"localeid.add\",\"params\":{\"eid\":\"[7]10.7");

        var started = DateTime.UtcNow;
        Assert.Null(ControlFixture.ReadReply(socket)); // the server closes it after PartialLineTimeout
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10));
        Assert.Equal(before, fixture.Dump());
    }

    [Fact]
    public void An_idle_client_between_requests_is_not_cut_off()
    {
        using var socket = fixture.Connect();
        Thread.Sleep(800); // longer than the partial-line timeout, but nothing half-sent
        ControlFixture.Send(socket, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"localeid.list\"}\n");
        Assert.Equal(3, ControlFixture.ReadReply(socket)!["id"]!.GetValue<int>());
    }

    [Fact]
    public void An_exception_inside_a_method_is_a_32603_and_the_server_lives_on()
    {
        var handler = new JsonRpcHandler(fixture.Methods);
        // A notification (no id) runs but gets no reply.
        Assert.Null(handler.Handle(Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"method\":\"localeid.list\"}")));
        fixture.Methods.Journal = new FailingJournal();
        string before = fixture.Methods.DumpState();

        var reply = JsonNode.Parse(handler.Handle(Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"localeid.add\",\"params\":{\"eid\":\"[7]10.7.0.0/24\"}}"))!)!;

        Assert.Equal(-32603, reply["error"]!["code"]!.GetValue<int>());
        Assert.Contains("disk on fire", reply["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(before, fixture.Methods.DumpState()); // the journal write failed first, so nothing was applied
        fixture.Methods.Journal = null;
        Assert.NotNull(fixture.Result("localeid.list"));
    }

    public void Dispose() => fixture.Dispose();

    private sealed class FailingJournal : IMutationJournal
    {
        public bool WantsCompaction => false;

        public void Append(string method, System.Text.Json.JsonElement parameters) => throw new IOException("disk on fire");

        public void Compact(string stateDump)
        {
        }
    }
}
