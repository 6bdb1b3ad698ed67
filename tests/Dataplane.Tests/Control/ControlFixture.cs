using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Dataplane.Control.Socket;
using Dataplane.Tests.Lisp;

namespace Dataplane.Tests.Control;

/// <summary>An in-process control server on a temporary socket over a plane with one worker (<see cref="Harness"/>).</summary>
public sealed class ControlFixture : IDisposable
{
    public ControlFixture(TimeSpan? partialLineTimeout = null)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("dpc-").FullName;
        SocketPath = Path.Combine(Directory, "c.sock");
        Harness = new LispPlaneHarness(ControlTestConfig.Config());
        Methods = new ControlMethods(Harness.Plane);
        Server = new ControlServer(SocketPath, Methods) { PartialLineTimeout = partialLineTimeout ?? TimeSpan.FromSeconds(10) };
        Server.Start();
    }

    public string Directory { get; }

    public string SocketPath { get; }

    public LispPlaneHarness Harness { get; }

    public ControlMethods Methods { get; }

    public ControlServer Server { get; }

    /// <summary>A connected client.</summary>
    public Socket Connect()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveTimeout = 20_000 };
        socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
        return socket;
    }

    /// <summary>Sends one request line and returns the reply object.</summary>
    public JsonObject Call(string method, JsonObject? parameters = null)
    {
        var request = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 7, ["method"] = method };
        if (parameters is not null)
        {
            request["params"] = parameters.DeepClone();
        }

        return Raw(request.ToJsonString());
    }

    /// <summary>Sends <paramref name="line"/> plus a newline on a new connection and returns the reply.</summary>
    public JsonObject Raw(string line)
    {
        using var socket = Connect();
        Send(socket, line + "\n");
        return ReadReply(socket) ?? throw new IOException("connection closed without a reply");
    }

    /// <summary>The result of a call that must succeed.</summary>
    public JsonNode? Result(string method, JsonObject? parameters = null)
    {
        var reply = Call(method, parameters);
        Assert.True(reply["error"] is null, $"{method} failed: {reply.ToJsonString()}");
        return reply["result"];
    }

    public string Dump() => Result("state.dump")!.ToJsonString();

    public static void Send(Socket socket, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        int sent = 0;
        while (sent < bytes.Length)
        {
            sent += socket.Send(bytes.AsSpan(sent));
        }
    }

    /// <summary>One reply line, or null when the server closed the connection.</summary>
    public static JsonObject? ReadReply(Socket socket)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            int read;
            try
            {
                read = socket.Receive(one);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                read = 0;
            }

            if (read == 0)
            {
                return line.Count == 0 ? null : throw new IOException("reply cut short");
            }

            if (one[0] == (byte)'\n')
            {
                return JsonNode.Parse(line.ToArray())!.AsObject();
            }

            line.Add(one[0]);
        }
    }

    public void Dispose()
    {
        Server.Dispose();
        Harness.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
