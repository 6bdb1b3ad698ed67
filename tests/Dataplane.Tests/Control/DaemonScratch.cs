using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dataplane.Tests.Control;

/// <summary>
/// A scratch directory with a daemon configuration (pcap ports that only transmit, so the daemon idles), a control
/// socket and a state directory; starts <c>dataplane run</c> children and kills exactly those (by their Process) and
/// removes the directory when disposed.
/// </summary>
public sealed class DaemonScratch : IDisposable
{
    private static readonly string Dataplane = Path.Combine(AppContext.BaseDirectory, "dataplane");
    private readonly List<Process> children = [];

    /// <summary>A scratch directory; <paramref name="tweak"/>, when given, changes the configuration before it is written.</summary>
    public DaemonScratch(string prefix, Action<JsonObject>? tweak = null)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory(prefix).FullName;
        ConfigPath = WriteConfig(tweak);
    }

    public string Directory { get; }

    public string ConfigPath { get; }

    public string SocketPath => Path.Combine(Directory, "c.sock");

    /// <summary>
    /// Starts <c>dataplane run</c> on this configuration, with <paramref name="environment"/> added to ours and
    /// <paramref name="extra"/> arguments; each stderr line goes to <paramref name="stderr"/>.
    /// </summary>
    public Process Start(IReadOnlyDictionary<string, string>? environment = null, string[]? extra = null, Action<string>? stderr = null)
    {
        var start = new ProcessStartInfo(Dataplane) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        foreach (string argument in new[] { "run", "--config", ConfigPath, "--duration", "300" }.Concat(extra ?? []))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                stderr?.Invoke(line);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        children.Add(process);
        return process;
    }

    /// <summary>SIGKILL to this one child (by its PID), waited for.</summary>
    public static void Kill9(Process daemon)
    {
        daemon.Kill();
        Assert.True(daemon.WaitForExit(10_000), "the daemon did not die after SIGKILL");
    }

    public System.Net.Sockets.Socket ConnectWithRetry()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var socket = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveTimeout = 30_000, SendTimeout = 30_000 };
            try
            {
                socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
                return socket;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                socket.Dispose();
                Thread.Sleep(50);
            }
        }
    }

    /// <summary>One request on a fresh connection; the reply object (it must arrive).</summary>
    public JsonObject Call(string method, string parametersJson = "{}")
    {
        using var socket = ConnectWithRetry();
        ControlFixture.Send(socket, $"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"{method}\",\"params\":{parametersJson}}}\n");
        return ControlFixture.ReadReply(socket) ?? throw new IOException($"{method}: connection closed without a reply");
    }

    public JsonObject Dump()
    {
        var reply = Call("state.dump");
        Assert.True(reply["error"] is null, reply.ToJsonString());
        return reply["result"]!.AsObject();
    }

    private string WriteConfig(Action<JsonObject>? tweak)
    {
        var config = ControlTestConfig.Json();
        tweak?.Invoke(config);
        var ports = config["ports"]!.AsArray();
        for (int i = 0; i < ports.Count; i++)
        {
            ports[i]!["driver"] = "pcap";
            ports[i]!["txPcap"] = Path.Combine(Directory, $"tx{i}.pcap"); // transmit only: the daemon idles
        }

        config["control"] = new JsonObject { ["socket"] = SocketPath, ["stateDirectory"] = Path.Combine(Directory, "state") };
        string path = Path.Combine(Directory, "config.json");
        File.WriteAllText(path, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    public static string Line(int id, string method, string parametersJson) =>
        $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"{method}\",\"params\":{parametersJson}}}\n";

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public void Dispose()
    {
        foreach (var child in children)
        {
            if (!child.HasExited)
            {
                child.Kill();
                child.WaitForExit(10_000);
            }

            child.Dispose();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
