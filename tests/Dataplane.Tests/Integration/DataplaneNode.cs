using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Tests.Control;

namespace Dataplane.Tests.Integration;

/// <summary>
/// One `dataplane run` in a namespace with a control socket. Its output is read as it comes (a full pipe would stall
/// it) and kept for the counters it prints at exit; it is stopped by PID.
/// </summary>
public sealed class DataplaneNode
{
    private static readonly string Dataplane = Path.Combine(AppContext.BaseDirectory, "dataplane");
    private readonly StringBuilder output = new();
    private readonly Process process;
    private string? finalOutput;

    private DataplaneNode(string name, Process process, string socketPath)
    {
        Name = name;
        this.process = process;
        SocketPath = socketPath;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public string SocketPath { get; }

    public bool HasExited => process.HasExited;

    /// <summary>The daemon's process id (to kill it by PID in a failure test).</summary>
    public int ProcessId => process.Id;

    /// <summary>Writes the configuration (with a control socket in <paramref name="scratch"/> added) and starts the daemon.</summary>
    public static DataplaneNode Start(Lab lab, string ns, string name, JsonObject config, string scratch)
    {
        string socketPath = Path.Combine(scratch, $"{name}.sock");
        config["control"] = new JsonObject { ["socket"] = socketPath };
        string configPath = Path.Combine(scratch, $"{name}.json");
        File.WriteAllText(configPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return new DataplaneNode(name, lab.Start(ns, Dataplane, "run", "--config", configPath), socketPath);
    }

    /// <summary>One JSON-RPC request on the control socket (retried for 30 s while the daemon starts); its result.</summary>
    public JsonNode Call(string method, JsonObject? parameters = null)
    {
        var clock = Stopwatch.StartNew();
        for (int attempt = 0; ; attempt++)
        {
            Assert.False(process.HasExited, $"{Name} exited:\n{Output()}");
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveTimeout = 10_000, SendTimeout = 10_000 };
            try
            {
                socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(30) && attempt < 300)
            {
                Thread.Sleep(100);
                continue;
            }

            var request = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
            ControlFixture.Send(socket, request.ToJsonString() + "\n");
            var reply = ControlFixture.ReadReply(socket) ?? throw new IOException($"{Name} {method}: connection closed without a reply");
            return reply["result"] ?? throw new InvalidOperationException($"{Name} {method}: {reply.ToJsonString()}");
        }
    }

    public Dictionary<string, long> LispCounters() =>
        Call("lisp.counters").AsObject().ToDictionary(c => c.Key, c => c.Value!.GetValue<long>());

    public JsonArray MapCache() => Call("mapcache.list").AsArray();

    /// <summary>The locator addresses of our map-cache entry for exactly <paramref name="eid"/> (none when there is no such entry).</summary>
    public string[] CachedLocators(string eid) =>
        MapCache().Where(e => e!["eid"]!.GetValue<string>() == eid)
            .SelectMany(e => e!["locators"]!.AsArray().Select(l => l!["address"]!.GetValue<string>()))
            .ToArray();

    /// <summary>SIGTERM by PID (the daemon prints its counters on the way out), SIGKILL if it does not end; what it printed.</summary>
    public string Stop()
    {
        if (finalOutput is not null)
        {
            return finalOutput;
        }

        if (!process.HasExited)
        {
            Lab.TryRun(TimeSpan.FromSeconds(5), "kill", "-TERM", process.Id.ToString(CultureInfo.InvariantCulture));
            if (!process.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                process.Kill(entireProcessTree: true);
            }
        }

        process.WaitForExit(); // flushes the asynchronous readers
        finalOutput = Output();
        return finalOutput;
    }

    public string Output()
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}
