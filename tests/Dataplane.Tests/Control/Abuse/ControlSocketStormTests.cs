using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Dataplane.Control.Socket;

namespace Dataplane.Tests.Control.Abuse;

/// <summary>
/// 1000 concurrent clients against a real <c>dataplane run</c>: valid, malformed, oversize, vanishing in the middle of
/// a line and stalling. Each gets a reply or is cut off; afterwards the rule state is the state before plus exactly
/// the acknowledged changes, and the daemon still answers.
/// </summary>
public sealed class ControlSocketStormTests : IDisposable
{
    private const int Clients = 1000;
    private static readonly TimeSpan ClientLimit = TimeSpan.FromSeconds(60);
    private readonly DaemonScratch scratch = new("dpc-storm-");

    private enum Kind
    {
        MapCacheAdd,
        LocalEidAdd,
        NotJson,
        BadPrefix,
        UnknownMethod,
        VanishMidLine,
        StallMidLine,
        Oversize,
        ValidThenMalformed,
    }

    [Fact]
    public async Task A_thousand_concurrent_clients_leave_exactly_the_acknowledged_changes()
    {
        var daemon = scratch.Start();
        var before = scratch.Dump();
        var acknowledgedMapCache = new ConcurrentBag<string>();
        var acknowledgedLocalEids = new ConcurrentBag<string>();
        var outcomes = new ConcurrentDictionary<string, int>();

        var clients = new Task[Clients];
        for (int i = 0; i < Clients; i++)
        {
            int client = i;
            clients[i] = Task.Run(() => RunClient(client, KindOf(client), acknowledgedMapCache, acknowledgedLocalEids, outcomes), TestContext.Current.CancellationToken);
        }

        var all = Task.WhenAll(clients);
        Assert.Same(all, await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken)));
        await all; // a client's failed assertion fails the test
        Assert.False(daemon.HasExited, "the daemon died under the storm");

        // Every kind happened, and the valid ones were all acknowledged.
        int expectedMapCache = Enumerable.Range(0, Clients).Count(c => KindOf(c) == Kind.MapCacheAdd);
        int expectedLocal = Enumerable.Range(0, Clients).Count(c => KindOf(c) is Kind.LocalEidAdd or Kind.ValidThenMalformed);
        Assert.Equal(expectedMapCache, acknowledgedMapCache.Count);
        Assert.Equal(expectedLocal, acknowledgedLocalEids.Count);

        var after = scratch.Dump();
        var mapCacheBefore = Eids(before, "mapCache");
        var mapCacheAfter = Eids(after, "mapCache");
        mapCacheBefore.UnionWith(acknowledgedMapCache);
        Assert.Equal(mapCacheBefore.Order(StringComparer.Ordinal), mapCacheAfter.Order(StringComparer.Ordinal));

        var localBefore = LocalEids(before);
        localBefore.UnionWith(acknowledgedLocalEids);
        Assert.Equal(localBefore.Order(StringComparer.Ordinal), LocalEids(after).Order(StringComparer.Ordinal));

        foreach (string section in new[] { "neighbours", "tunnels", "services" })
        {
            Assert.Equal(before[section]?.ToJsonString(), after[section]?.ToJsonString());
        }

        // Still up and answering.
        var counters = scratch.Call("counters.get");
        Assert.True(counters["error"] is null, counters.ToJsonString());
        Assert.False(daemon.HasExited);
    }

    /// <summary>1 in 100 oversize (10 clients, 1 MiB each); the rest spread evenly over the other kinds.</summary>
    private static Kind KindOf(int client) => client % 100 == 99 ? Kind.Oversize : (client % 8) switch
    {
        0 or 1 => Kind.MapCacheAdd,
        2 => Kind.LocalEidAdd,
        3 => Kind.NotJson,
        4 => Kind.BadPrefix,
        5 => Kind.UnknownMethod,
        6 => client % 16 == 6 ? Kind.VanishMidLine : Kind.StallMidLine,
        _ => Kind.ValidThenMalformed,
    };

    private static string MapCacheEid(int client) => FormattableString.Invariant($"[8]10.{client / 256}.{client % 256}.0/24");

    private static string LocalEid(int client) => FormattableString.Invariant($"[9]10.{client / 256}.{client % 256}.0/24");

    private static string MapCacheAdd(int client, string eid) =>
        DaemonScratch.Line(client, "mapcache.add", $"{{\"eid\":\"{eid}\",\"locators\":[{{\"address\":\"198.51.100.{1 + (client % 200)}\"}}]}}");

    private async Task RunClient(int client, Kind kind, ConcurrentBag<string> mapCache, ConcurrentBag<string> localEids, ConcurrentDictionary<string, int> outcomes)
    {
        using var limit = new CancellationTokenSource(ClientLimit);
        using var socket = await ConnectAsync(limit.Token);
        var reader = new LineReader(socket);
        switch (kind)
        {
            case Kind.MapCacheAdd:
            {
                await SendAsync(socket, MapCacheAdd(client, MapCacheEid(client)), limit.Token);
                var reply = await reader.ReadAsync(limit.Token) ?? throw new IOException($"client {client}: no reply to a valid mapcache.add");
                Assert.True(reply["error"] is null, reply.ToJsonString());
                Assert.Equal(client, reply["id"]!.GetValue<int>());
                mapCache.Add(MapCacheEid(client));
                break;
            }

            case Kind.LocalEidAdd:
            case Kind.ValidThenMalformed:
            {
                string valid = DaemonScratch.Line(client, "localeid.add", $"{{\"eid\":\"{LocalEid(client)}\"}}");
                string text = kind == Kind.LocalEidAdd ? valid : valid + "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"localeid.add\",\"params\":{\"eid\":[1,2]}}\n";
                await SendAsync(socket, text, limit.Token);
                var reply = await reader.ReadAsync(limit.Token) ?? throw new IOException($"client {client}: no reply to a valid localeid.add");
                Assert.True(reply["error"] is null, reply.ToJsonString());
                localEids.Add(LocalEid(client));
                if (kind == Kind.ValidThenMalformed)
                {
                    var second = await reader.ReadAsync(limit.Token) ?? throw new IOException($"client {client}: no reply to the wrong-shape line");
                    Assert.Equal(JsonRpcErrorCodes.InvalidParams, second["error"]!["code"]!.GetValue<int>());
                }

                break;
            }

            case Kind.NotJson:
                await ExpectError(socket, reader, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\n", JsonRpcErrorCodes.ParseError, limit.Token);
                break;
            case Kind.BadPrefix:
                await ExpectError(socket, reader, MapCacheAdd(client, "[8]10.0.0.0/33"), JsonRpcErrorCodes.InvalidParams, limit.Token);
                break;
            case Kind.UnknownMethod:
                await ExpectError(socket, reader, DaemonScratch.Line(client, "mapcache.explode", "{}"), JsonRpcErrorCodes.MethodNotFound, limit.Token);
                break;
            case Kind.VanishMidLine:
            {
                // Half a valid request, then gone: it must not be applied.
                string line = MapCacheAdd(client, MapCacheEid(client + 10_000));
                await SendAsync(socket, line[..(line.Length / 2)], limit.Token);
                break;
            }

            case Kind.StallMidLine:
            {
                string line = MapCacheAdd(client, MapCacheEid(client + 10_000));
                await SendAsync(socket, line[..(line.Length / 2)], limit.Token);
                Assert.Null(await reader.ReadAsync(limit.Token)); // cut off by the partial-line timeout, no reply
                break;
            }

            case Kind.Oversize:
            {
                var huge = new StringBuilder("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"localeid.add\",\"params\":{\"eid\":\"");
                huge.Append('1', ControlServer.MaxRequestBytes + 4096).Append("\"}}\n");
                try
                {
                    await SendAsync(socket, huge.ToString(), limit.Token);
                }
                catch (SocketException)
                {
                    // cut off while sending: allowed
                }

                var reply = await reader.ReadAsync(limit.Token);
                if (reply is not null)
                {
                    Assert.Equal(JsonRpcErrorCodes.InvalidRequest, reply["error"]!["code"]!.GetValue<int>());
                    Assert.Null(await reader.ReadAsync(limit.Token)); // and then closed
                }

                break;
            }
        }

        outcomes.AddOrUpdate(kind.ToString(), 1, (_, n) => n + 1);
    }

    private static async Task ExpectError(Socket socket, LineReader reader, string text, int code, CancellationToken token)
    {
        await SendAsync(socket, text, token);
        var reply = await reader.ReadAsync(token) ?? throw new IOException("no reply to a bad request");
        Assert.Equal(code, reply["error"]!["code"]!.GetValue<int>());
    }

    /// <summary>The listen backlog is small (64): a refused or would-block connect is retried until the limit.</summary>
    private async Task<Socket> ConnectAsync(CancellationToken token)
    {
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(scratch.SocketPath), token);
                return socket;
            }
            catch (SocketException)
            {
                socket.Dispose();
                await Task.Delay(20, token);
            }
        }
    }

    private static async Task SendAsync(Socket socket, string text, CancellationToken token)
    {
        var bytes = DaemonScratch.Utf8(text);
        int sent = 0;
        while (sent < bytes.Length)
        {
            sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, token);
        }
    }

    private static HashSet<string> Eids(JsonObject dump, string section) =>
        dump[section]!.AsArray().Select(e => e!["eid"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);

    private static HashSet<string> LocalEids(JsonObject dump) =>
        dump["localEids"]!.AsArray().Select(e => e!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);

    /// <summary>Newline-delimited replies from one socket; null when the server closed (or reset) it.</summary>
    private sealed class LineReader(Socket socket)
    {
        private readonly byte[] buffer = new byte[4096];
        private readonly List<byte> line = [];
        private int start;
        private int end;

        public async Task<JsonObject?> ReadAsync(CancellationToken token)
        {
            while (true)
            {
                for (; start < end; start++)
                {
                    if (buffer[start] == (byte)'\n')
                    {
                        start++;
                        var reply = JsonNode.Parse(line.ToArray())!.AsObject();
                        line.Clear();
                        return reply;
                    }

                    line.Add(buffer[start]);
                }

                int read;
                try
                {
                    read = await socket.ReceiveAsync(buffer, SocketFlags.None, token);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
                {
                    read = 0;
                }

                if (read == 0)
                {
                    Assert.Empty(line); // never half a reply
                    return null;
                }

                start = 0;
                end = read;
            }
        }
    }

    public void Dispose() => scratch.Dispose();
}
