using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dataplane.Tests.Control.Metrics;

/// <summary>
/// One <c>dataplane run</c> child with a metrics address on a free loopback port and capture-file ports (it reads its
/// input once, then idles), in a scratch directory; killed by its Process and the directory removed on dispose.
/// </summary>
public sealed class MetricsDaemon : IDisposable
{
    private static readonly string Dataplane = Path.Combine(AppContext.BaseDirectory, "dataplane");
    private readonly Process process;
    private readonly string directory;
    private readonly HttpClient client;

    /// <param name="config">A configuration whose ports get the pcap driver here; <paramref name="inputs"/> maps a port name to the capture it reads.</param>
    public MetricsDaemon(JsonObject config, IReadOnlyDictionary<string, string> inputs)
        : this(config, inputs, capturePorts: true)
    {
    }

    /// <param name="capturePorts">False: the ports stay as configured (e.g. DPDK virtual devices).</param>
    public MetricsDaemon(JsonObject config, IReadOnlyDictionary<string, string> inputs, bool capturePorts)
    {
        directory = System.IO.Directory.CreateTempSubdirectory("dp-metrics-").FullName;
        var ports = config["ports"]!.AsArray();
        for (int i = 0; i < (capturePorts ? ports.Count : 0); i++)
        {
            var port = ports[i]!.AsObject();
            port["driver"] = "pcap";
            port["txPcap"] = Path.Combine(directory, $"tx{i}.pcap");
            if (inputs.TryGetValue(port["name"]!.GetValue<string>(), out string? input))
            {
                port["rxPcap"] = input;
            }
        }

        int metricsPort = FreeLoopbackPort();
        config["control"] = new JsonObject { ["metricsAddress"] = $"127.0.0.1:{metricsPort}" };
        string configPath = Path.Combine(directory, "config.json");
        File.WriteAllText(configPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        var start = new ProcessStartInfo(Dataplane) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { "run", "--config", configPath, "--duration", "300" })
        {
            start.ArgumentList.Add(argument);
        }

        process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public int ProcessId => process.Id;

    /// <summary>Scrapes until <paramref name="ready"/> holds for the text (bounded: 60 s), and returns that scrape.</summary>
    public string ScrapeWhen(Func<string, bool> ready)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string? last = null;
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(process.HasExited, $"the daemon exited with {(process.HasExited ? process.ExitCode : 0)}");
            try
            {
                last = client.GetStringAsync(new Uri("/metrics", UriKind.Relative)).GetAwaiter().GetResult();
                if (ready(last))
                {
                    return last;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            Thread.Sleep(200);
        }

        Assert.Fail($"the scrape did not get ready within 60 s; last scrape:\n{last}");
        return "";
    }

    public void Dispose()
    {
        client.Dispose();
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit(10_000);
        }

        process.Dispose();
        System.IO.Directory.Delete(directory, recursive: true);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
