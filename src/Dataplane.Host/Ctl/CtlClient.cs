using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Dataplane.Host.Ctl;

/// <summary>One JSON-RPC request over the daemon's control socket and its reply line.</summary>
public static class CtlClient
{
    /// <summary>The reply object. Throws <see cref="SocketException"/> when nobody listens, <see cref="IOException"/> when the daemon hangs up.</summary>
    public static JsonObject Call(string socketPath, string method, JsonObject parameters, TimeSpan timeout)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        socket.SendTimeout = (int)timeout.TotalMilliseconds;
        socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        var request = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = method, ["params"] = parameters.DeepClone() };
        socket.Send(Encoding.UTF8.GetBytes(request.ToJsonString() + "\n"));
        var reply = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            int read = socket.Receive(buffer);
            if (read == 0)
            {
                throw new IOException("the daemon closed the connection without replying");
            }

            int newline = Array.IndexOf(buffer, (byte)'\n', 0, read);
            reply.Write(buffer, 0, newline < 0 ? read : newline);
            if (newline >= 0)
            {
                break;
            }
        }

        return JsonNode.Parse(reply.ToArray())?.AsObject() ?? throw new IOException("the daemon replied null");
    }

    /// <summary>
    /// Subscribes (events.subscribe) and hands each event notification line to <paramref name="onEvent"/> until
    /// <paramref name="count"/> events, the <paramref name="duration"/>, or the daemon closing; returns how many came.
    /// </summary>
    public static int Follow(string socketPath, Action<string> onEvent, int? count, TimeSpan? duration)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        socket.Send(Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"events.subscribe\"}\n"));
        var deadline = duration is { } d ? DateTime.UtcNow + d : DateTime.MaxValue;
        var line = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int events = 0;
        bool subscribed = false;
        while ((count is null || events < count) && DateTime.UtcNow < deadline)
        {
            socket.ReceiveTimeout = (int)Math.Clamp((deadline - DateTime.UtcNow).TotalMilliseconds, 1, 1000);
            int read;
            try
            {
                read = socket.Receive(buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                continue;
            }

            if (read == 0)
            {
                break;
            }

            for (int i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n')
                {
                    line.WriteByte(buffer[i]);
                    continue;
                }

                string text = Encoding.UTF8.GetString(line.ToArray());
                line.SetLength(0);
                if (!subscribed)
                {
                    subscribed = true; // the reply to events.subscribe
                    continue;
                }

                onEvent(text);
                if (++events == count)
                {
                    break;
                }
            }
        }

        return events;
    }
}
