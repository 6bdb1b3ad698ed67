using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dataplane.Ports.Pcap;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Integration;

/// <summary>
/// A slow stop with two AF_PACKET ports: <c>dataplane run</c> as a VTEP with two AF_PACKET ports (veth pairs
/// to a traffic namespace), packet_blaster sending 60-byte frames at it as fast as it can, then SIGINT while the
/// traffic flows. The daemon must exit 0 within <see cref="StopBound"/>, print its final counters, and they must be
/// conserved (received = transmitted + punted + dropped). Several rounds on the same links, to catch an intermittent
/// hang; <c>DATAPLANE_STOP_ROUNDS</c> sets how many (the long form: 50).
/// </summary>
public sealed partial class StopUnderLoadTests : IDisposable
{
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(5);
    private const string HostAMac = "02:00:00:00:0a:0a", HostBMac = "02:00:00:00:0b:0a";
    private const string AccessMac = "02:00:00:00:0a:01", UnderlayMac = "02:00:00:00:c0:01";
    private const string RemoteUnderlayMac = "02:00:00:00:c0:02", SinkMac = "02:00:00:00:c0:99";
    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-stop-under-load-").FullName;
    private readonly Lab lab = new();

    [Fact]
    public void SigintUnderLoadStopsWithinTheBoundWithConservedCounters()
    {
        Lab.RequireRoot();
        string blaster = Path.Combine(RepositoryPaths.Root, "artifacts", "native", "packet_blaster");
        Assert.SkipUnless(File.Exists(blaster), $"needs {blaster}: run scripts/build-native.sh (scripts/test does)");
        int rounds = int.TryParse(Environment.GetEnvironmentVariable("DATAPLANE_STOP_ROUNDS"), out int r) ? r : 3;

        // gen: g0 -> acc (the access port), und -> g1 (the sink; its MAC is not the next hop's, so its kernel drops
        // the encapsulated frames at the door and costs the measured cores next to nothing).
        string dut = lab.Namespace("dut"), gen = lab.Namespace("gen");
        lab.Link(gen, "g0", HostAMac, dut, "acc", AccessMac);
        lab.Link(dut, "und", UnderlayMac, gen, "g1", SinkMac);
        string frames = WriteFrames();
        string[] configs = [WriteConfig(workers: 1), WriteConfig(workers: 2)];
        string dataplane = Path.Combine(AppContext.BaseDirectory, "dataplane");

        // One sender for every round (what arrives between daemons is dropped by the kernel); it stops on its own.
        var sender = lab.Start(gen, blaster, "g0", frames, (rounds * 5 + 10).ToString(CultureInfo.InvariantCulture));
        var report = new StringBuilder();
        for (int round = 1; round <= rounds; round++)
        {
            // One worker, then two (two workers share each port through PACKET_FANOUT), alternately.
            string config = configs[(round - 1) % 2];
            var daemon = lab.Start(dut, dataplane, "run", "--config", config);
            var stdout = new StringBuilder();
            var stderr = new StringBuilder();
            // Not disposed: the output handlers may still fire after a failed round (the lab kills the daemon later).
            var running = new ManualResetEventSlim();
            var closed = new CountdownEvent(2); // both output streams at end of file
            daemon.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    closed.Signal();
                    return;
                }

                lock (stdout)
                {
                    stdout.AppendLine(e.Data);
                }

                if (e.Data.Contains("SIGINT or SIGTERM stops", StringComparison.Ordinal))
                {
                    running.Set();
                }
            };
            daemon.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    closed.Signal();
                    return;
                }

                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            };
            daemon.BeginOutputReadLine();
            daemon.BeginErrorReadLine();
            Assert.True(running.Wait(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken), $"round {round}: the daemon did not start:\n{stdout}\n{stderr}");
            Thread.Sleep(1000); // full rate by now: the workers are busy polling, encapsulating, transmitting
            if (sender.HasExited)
            {
                Assert.Fail($"round {round}: packet_blaster ended early: {sender.StandardError.ReadToEnd()}\n{report}");
            }

            var clock = Stopwatch.StartNew();
            Lab.Run("kill", "-INT", daemon.Id.ToString(CultureInfo.InvariantCulture));
            bool exited = daemon.WaitForExit(StopBound);
            var stopTime = clock.Elapsed;
            string threads = exited ? "" : KernelThreadStates(daemon.Id);
            if (!exited)
            {
                daemon.Kill(entireProcessTree: true);
                daemon.WaitForExit(TimeSpan.FromSeconds(5));
            }

            bool outputClosed = closed.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            var closeTime = clock.Elapsed;
            string output, errors;
            lock (stdout)
            {
                output = stdout.ToString();
            }

            lock (stderr)
            {
                errors = stderr.ToString();
            }

            Assert.True(exited, $"round {round}: no exit within {StopBound.TotalSeconds} s of SIGINT under load\n{threads}\n{output}\n{errors}");
            Assert.True(outputClosed, $"round {round}: exited after {stopTime.TotalMilliseconds:F0} ms but its output was still open 10 s later\n{output}\n{errors}");
            Assert.True(daemon.ExitCode == 0, $"round {round}: exit code {daemon.ExitCode}\n{output}\n{errors}");
            long received = Counter(output, "received"), transmitted = Counter(output, "transmitted"), punted = Counter(output, "punted"), dropped = Counter(output, "dropped");
            // Under load: the access port was offered traffic up to the stop (what the daemon took, plus what the kernel
            // dropped because the worker could not keep up: how much it takes depends on the cores it gets).
            var access = Regex.Match(output, @"^port acc: rx (\d+) packets .* rx drops (\d+),", RegexOptions.Multiline);
            Assert.True(access.Success, $"round {round}: no statistics for port acc\n{output}");
            long offered = long.Parse(access.Groups[1].Value, CultureInfo.InvariantCulture) + long.Parse(access.Groups[2].Value, CultureInfo.InvariantCulture);
            Assert.True(received > 0 && offered > 10_000, $"round {round}: {received} frames received, {offered} offered: not under load\n{output}");
            Assert.Equal(received, transmitted + punted + dropped);
            Assert.Contains("conservation holds", output, StringComparison.Ordinal);
            var phases = Regex.Match(output, @"threads stopped in (\d+) ms, ports closed in (\d+) ms");
            Assert.True(phases.Success, $"round {round}: no stop timing line\n{output}");
            report.AppendLine(CultureInfo.InvariantCulture,
                $"round {round} ({(round - 1) % 2 + 1} worker(s)): exited {stopTime.TotalMilliseconds:F0} ms after SIGINT (threads {phases.Groups[1].Value} ms, ports {phases.Groups[2].Value} ms; output closed at {closeTime.TotalMilliseconds:F0} ms), offered {offered}, received {received}, transmitted {transmitted}, dropped {dropped}");
            daemon.Dispose();
        }

        Lab.TryRun(TimeSpan.FromSeconds(5), "kill", "-INT", sender.Id.ToString(CultureInfo.InvariantCulture));
        TestContext.Current.SendDiagnosticMessage(report.ToString());
    }

    /// <summary>Each thread of a process that did not exit: name, state, kernel wait channel and kernel stack (root reads them).</summary>
    private static string KernelThreadStates(int pid)
    {
        var text = new StringBuilder($"threads of {pid}:\n");
        try
        {
            foreach (string task in Directory.GetDirectories($"/proc/{pid}/task"))
            {
                string Read(string name) => File.Exists(Path.Combine(task, name)) ? File.ReadAllText(Path.Combine(task, name)).Trim() : "";
                string state = Read("status").Split('\n').FirstOrDefault(l => l.StartsWith("State:", StringComparison.Ordinal)) ?? "";
                text.AppendLine(CultureInfo.InvariantCulture, $"  {Path.GetFileName(task)} {Read("comm")} {state} wchan={Read("wchan")}");
                foreach (string frame in Read("stack").Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(8))
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"      {frame}");
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            text.AppendLine(e.Message);
        }

        return text.ToString();
    }

    /// <summary>A total from the counter table (<c>CounterSnapshot.ToTable</c>): "received  N".</summary>
    private static long Counter(string output, string name)
    {
        var match = Regex.Match(output, $@"^\s*{name}\s+(\d+)", RegexOptions.Multiline | RegexOptions.IgnoreCase);
        Assert.True(match.Success, $"no '{name}' total in the daemon's output:\n{output}");
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>64 UDP flows from host A to host B (pinned behind the remote VTEP), 60-byte frames: bench/ports/scenarios.py's VTEP traffic.</summary>
    private string WriteFrames()
    {
        string path = Path.Combine(scratch, "frames.pcap");
        using var writer = new PcapWriter(path);
        for (int flow = 0; flow < 64; flow++)
        {
            byte[] frame = Lisp.LispTestFrames.Ipv4Udp("10.0.0.1", "10.0.0.2", payload: 18, sourcePort: (ushort)(10000 + flow), destinationPort: 9);
            Convert.FromHexString(HostBMac.Replace(":", "", StringComparison.Ordinal) + HostAMac.Replace(":", "", StringComparison.Ordinal)).CopyTo(frame, 0);
            writer.Write(frame, 0);
        }

        return path;
    }

    private string WriteConfig(int workers)
    {
        string path = Path.Combine(scratch, $"vtep-{workers}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            roles = new[] { "vtep" },
            workers,
            ports = new object[]
            {
                new { name = "acc", mac = AccessMac, driver = "af_packet", @interface = "acc" },
                new { name = "und", mac = UnderlayMac, addresses = new[] { "192.0.2.1" }, driver = "af_packet", @interface = "und" },
            },
            neighbours = new[] { new { address = "192.0.2.2", mac = RemoteUnderlayMac, port = "und" } },
            routes = new[] { new { prefix = "192.0.2.0/24", port = "und" } },
            vxlan = new
            {
                localVteps = new[] { "192.0.2.1" },
                bridgeDomains = new[]
                {
                    new
                    {
                        vni = 100, ports = new[] { "acc" }, remoteVteps = new[] { "192.0.2.2" },
                        staticMacs = new[] { new { mac = HostBMac, vtep = "192.0.2.2" } },
                    },
                },
            },
        }));
        return path;
    }

    public void Dispose()
    {
        lab.Dispose();
        Directory.Delete(scratch, recursive: true);
    }
}
