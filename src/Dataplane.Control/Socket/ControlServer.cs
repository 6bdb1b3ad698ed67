using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Dataplane.Control.Logging;

namespace Dataplane.Control.Socket;

/// <summary>
/// The Unix-domain control socket: newline-delimited JSON-RPC 2.0, replies in request order on each connection.
/// Accepts on its own task; each client is served on its own task, so a slow client holds up nobody else
/// (mutations still go one at a time through <see cref="ControlMethods"/>' lock). A request line longer than
/// <see cref="MaxRequestBytes"/> gets -32600 and the connection is closed; a client that stops in the middle of a
/// line for <see cref="PartialLineTimeout"/> is cut off, so a stuck client cannot pin a task and a buffer forever.
/// </summary>
public sealed class ControlServer : IDisposable
{
    public const int MaxRequestBytes = 1 << 20;

    private readonly JsonRpcHandler handler;
    private readonly ControlEvents events;
    private readonly ControlContext context;
    private readonly System.Net.Sockets.Socket listener;
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> clients = [];
    private Task? acceptLoop;

    public ControlServer(string path, ControlMethods methods)
    {
        Path = path;
        handler = new JsonRpcHandler(methods);
        events = methods.Context.Events;
        context = methods.Context;
        if (File.Exists(path))
        {
            if (SomeoneListens(path))
            {
                throw new IOException($"another process is listening on {path} (a second daemon with the same control.socket?)");
            }

            File.Delete(path); // a socket file left by a daemon that did not stop cleanly
        }

        listener = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            // Owner and group may talk to the daemon (the operators' group), nobody else.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            }

            listener.Listen(64);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    public string Path { get; }

    private static bool SomeoneListens(string path)
    {
        using var probe = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>How long a client may stall with half a request sent.</summary>
    public TimeSpan PartialLineTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public void Start() => acceptLoop = Task.Run(AcceptLoop);

    private async Task AcceptLoop()
    {
        while (!stop.IsCancellationRequested)
        {
            System.Net.Sockets.Socket client;
            try
            {
                client = await listener.AcceptAsync(stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var task = Task.Run(() => Serve(client));
            lock (clients)
            {
                clients.RemoveAll(t => t.IsCompleted);
                clients.Add(task);
            }
        }
    }

    private async Task Serve(System.Net.Sockets.Socket client)
    {
        using var _ = client;
        var connection = new Connection(client);
        try
        {
            await Serve(connection).ConfigureAwait(false);
        }
        finally
        {
            connection.Unsubscribe?.Invoke();
        }
    }

    private async Task Serve(Connection connection)
    {
        var client = connection.Client;
        var pending = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            while (!stop.IsCancellationRequested)
            {
                int read;
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token))
                {
                    if (pending.Length > 0)
                    {
                        timeout.CancelAfter(PartialLineTimeout);
                    }

                    try
                    {
                        read = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                    {
                        ControlSocketLog.ClientStalled(context.Logging.Logger(LogCategories.Socket), Math.Round(PartialLineTimeout.TotalSeconds, 1));
                        return;
                    }
                }

                if (read == 0)
                {
                    return;
                }

                int start = 0;
                for (int i = 0; i < read; i++)
                {
                    if (buffer[i] != (byte)'\n')
                    {
                        continue;
                    }

                    pending.Write(buffer, start, i - start);
                    start = i + 1;
                    if (!await Reply(connection, pending).ConfigureAwait(false))
                    {
                        return;
                    }

                    pending.SetLength(0);
                }

                pending.Write(buffer, start, read - start);
                if (pending.Length > MaxRequestBytes)
                {
                    await connection.Send(JsonRpcHandler.Error(null, JsonRpcErrorCodes.InvalidRequest,
                        $"request too large ({pending.Length} bytes, limit {MaxRequestBytes})")).ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away; nothing to answer.
        }
    }

    /// <summary>Answers one complete line; false when the connection must close (the line was too long).</summary>
    private async Task<bool> Reply(Connection connection, MemoryStream line)
    {
        if (line.Length > MaxRequestBytes)
        {
            await connection.Send(JsonRpcHandler.Error(null, JsonRpcErrorCodes.InvalidRequest, $"request too large ({line.Length} bytes, limit {MaxRequestBytes})")).ConfigureAwait(false);
            return false;
        }

        var bytes = line.GetBuffer().AsSpan(0, (int)line.Length).TrimEnd((byte)'\r');
        if (bytes.IsEmpty)
        {
            return true; // blank lines between requests are harmless
        }

        if (IsSubscribe(bytes, out var id))
        {
            await Subscribe(connection, id).ConfigureAwait(false);
            return true;
        }

        if (handler.Handle(bytes) is { } reply)
        {
            await connection.Send(reply).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>
    /// events.subscribe: the connection gets every published event as a notification from now on (until it closes).
    /// It belongs to the connection, not to the rule state, so the server answers it itself.
    /// </summary>
    private async Task Subscribe(Connection connection, JsonNode? id)
    {
        if (connection.Unsubscribe is null)
        {
            var reader = events.Subscribe(out var unsubscribe);
            connection.Unsubscribe = unsubscribe;
            _ = Task.Run(async () =>
            {
                try
                {
                    await foreach (string notification in reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
                    {
                        await connection.Send(notification).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
                {
                    // the subscriber went away
                }
            });
        }

        await connection.Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id?.DeepClone(), ["result"] = new JsonObject { ["subscribed"] = true } }.ToJsonString())
            .ConfigureAwait(false);
    }

    private static bool IsSubscribe(ReadOnlySpan<byte> line, out JsonNode? id)
    {
        id = null;
        try
        {
            if (JsonNode.Parse(line) is JsonObject request && request["method"] is JsonValue method &&
                method.TryGetValue(out string? name) && name == "events.subscribe")
            {
                id = request["id"];
                return true;
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // not JSON: the handler answers -32700
        }

        return false;
    }

    /// <summary>One client: its socket, one writer at a time (replies and event notifications interleave whole lines).</summary>
    private sealed class Connection(System.Net.Sockets.Socket client)
    {
        private readonly SemaphoreSlim writeLock = new(1, 1);

        public System.Net.Sockets.Socket Client => client;

        public Action? Unsubscribe { get; set; }

        public async Task Send(string line)
        {
            var bytes = Encoding.UTF8.GetBytes(line + "\n");
            await writeLock.WaitAsync().ConfigureAwait(false);
            try
            {
                int sent = 0;
                while (sent < bytes.Length)
                {
                    sent += await client.SendAsync(bytes.AsMemory(sent), SocketFlags.None).ConfigureAwait(false);
                }
            }
            finally
            {
                writeLock.Release();
            }
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Dispose();
        try
        {
            acceptLoop?.Wait(TimeSpan.FromSeconds(2));
            Task[] running;
            lock (clients)
            {
                running = [.. clients];
            }

            Task.WaitAll(running, TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // Client tasks end by cancellation; their errors were already handled.
        }

        File.Delete(Path);
        stop.Dispose();
    }
}
