using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Host.Run;
using Dataplane.Ports.Dpdk;
using Dataplane.Ports.Pcap;
using Dataplane.Runtime.Workers;
using DpdkSharp;

namespace Dataplane.Host.Bench;

/// <summary>
/// <c>dataplane dpdk-ring-bench</c>: end-to-end packet rate of the daemon's own runtime (workers, DPDK ports,
/// control thread) over net_ring cables. Each configured port must be a dpdk port on device "net_ring_NAME"; the
/// command makes those devices from named rings before opening them, and a second ring port facing each, driven by
/// <see cref="RingTrafficGenerator"/> on its own core. After a warm-up (JIT tiering, caches) it counts what the
/// workers transmitted over the measured seconds and prints Mpps per worker, and a JSON line for scripts. On the way
/// out it removes EAL's runtime directory, so runs leave nothing in /var/run/dpdk.
/// </summary>
public static class DpdkRingBenchCommand
{
    public static int Execute(DpdkRingBenchOptions options, TextWriter output, TextWriter error)
    {
        string configPath = options.ConfigPath;
        string framesPath = options.FramesPath;
        string ingressName = options.IngressPortName;
        double seconds = options.Seconds;
        double warmup = options.WarmupSeconds;
        int generatorCore = options.GeneratorCore;
        try
        {
            var config = DataplaneConfigFile.Load(configPath);
            int ingress = config.Ports.ToList().FindIndex(p => p.Name == ingressName);
            if (ingress < 0)
            {
                throw new ConfigurationException("ports", $"no port named '{ingressName}' (--ingress)");
            }

            var frames = ReadFrames(framesPath);
            var plane = ForwardingPlaneBuilder.Build(config, new ForwardingPlaneOptions());
            var pool = DpdkEnvironment.Pool(config);
            var facing = CreateCables(config, pool);
            using var ports = PortFactory.Open(config, plane);
            return Measure(config, plane, ports, facing, ingress, frames, generatorCore, warmup, seconds, output);
        }
        catch (ConfigurationException e)
        {
            error.WriteLine($"dataplane dpdk-ring-bench: {configPath}: {e.Message}");
            return 2;
        }
        catch (DpdkException e)
        {
            error.WriteLine($"dataplane dpdk-ring-bench: {e.Message}");
            return 1;
        }
        finally
        {
            Eal.RemoveRuntimeDirectory(); // the ports are closed by now; EAL would leave it in /var/run/dpdk
        }
    }

    /// <summary>For each port NAME: device net_ring_NAME (rx ring NAME_rx, tx ring NAME_tx) and the generator's end facing it.</summary>
    private static List<DpdkPort> CreateCables(DataplaneConfig config, Mempool pool)
    {
        var facing = new List<DpdkPort>();
        for (int i = 0; i < config.Ports.Count; i++)
        {
            var port = config.Ports[i];
            string device = RingPorts.Create(port.Name, port.Name + "_rx", port.Name + "_tx");
            if (port.Driver != "dpdk" || port.DpdkDevice != device)
            {
                throw new ConfigurationException($"ports[{i}].dpdkDevice", $"dpdk-ring-bench needs driver dpdk and dpdkDevice \"{device}\"");
            }

            // Ids past the data plane's own, so the port registry tells the generator's mbufs apart from nothing.
            string generatorDevice = RingPorts.Create("gen_" + port.Name, port.Name + "_tx", port.Name + "_rx");
            facing.Add(new DpdkPort((ushort)(1000 + i), "gen_" + port.Name, generatorDevice, queues: 1, pool));
        }

        return facing;
    }

    private static int Measure(DataplaneConfig config, ForwardingPlane plane, Runtime.Ports.PortSet ports, List<DpdkPort> facing,
        int ingress, byte[][] frames, int generatorCore, double warmup, double seconds, TextWriter output)
    {
        var generator = new RingTrafficGenerator(facing, ingress, frames);
        using var stopGenerator = new CancellationTokenSource();
        string? generatorWarning = null;
        var generatorThread = new Thread(() =>
        {
            if (!CpuAffinity.TryPinCurrentThread(generatorCore, out string problem))
            {
                generatorWarning = $"generator not pinned: {problem}";
            }

            if (facing[0].PrepareWorkerThread() is { } warning)
            {
                generatorWarning = warning;
            }

            generator.Run(stopGenerator.Token);
            facing[0].ReleaseWorkerThread();
        }) { Name = "ring-generator", IsBackground = true };

        using var runtime = new DataplaneRuntime(plane, ports, config.Workers, config.Cores);
        runtime.Start();
        generatorThread.Start();
        Thread.Sleep(TimeSpan.FromSeconds(warmup));

        var before = plane.Counters();
        double? cpuBefore = WorkerCpuTime.Seconds();
        var clock = Stopwatch.StartNew();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        var after = plane.Counters();
        double? cpuAfter = WorkerCpuTime.Seconds();
        double elapsed = clock.Elapsed.TotalSeconds;

        stopGenerator.Cancel();
        generatorThread.Join();
        runtime.Stop();
        foreach (var port in facing)
        {
            port.Dispose();
        }

        long transmitted = after.Transmitted - before.Transmitted;
        long received = after.Received - before.Received;
        double mpps = transmitted / elapsed / 1e6;
        double perWorker = mpps / config.Workers;
        double workerCpu = cpuAfter - cpuBefore ?? 0;
        double perWorkerCpuSecond = workerCpu > 0 ? transmitted / workerCpu / 1e6 : 0;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"dpdk-ring-bench: {config.Workers} worker(s) on cores [{string.Join(",", config.Cores)}], generator on core {generatorCore}, {frames.Length} frame(s) of {frames[0].Length} bytes"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  measured {elapsed:F2} s after {warmup:F1} s warm-up: received {received}, transmitted {transmitted}: {mpps:F3} Mpps, {perWorker:F3} Mpps per worker, {1e3 / perWorker:F1} ns per packet per worker"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  generator: {generator.Injected} sent in, {generator.Returned} back; ingress ring full in {generator.SaturatedShare:P1} of its rounds (well above 0%: the data plane set the rate)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  worker threads on a CPU {workerCpu:F2} s of the {elapsed * config.Workers:F2} s: {perWorkerCpuSecond:F3} Mpps per CPU-second"));
        foreach (string warning in runtime.Warnings.Append(generatorWarning).OfType<string>())
        {
            output.WriteLine($"  warning: {warning}");
        }

        var final = plane.Counters();
        output.WriteLine(final.ToTable());
        output.WriteLine("result: " + JsonSerializer.Serialize(new
        {
            workers = config.Workers,
            frameBytes = frames[0].Length,
            seconds = elapsed,
            received,
            transmitted,
            mpps,
            mppsPerWorker = perWorker,
            generatorSaturatedShare = generator.SaturatedShare,
            workerCpuSeconds = workerCpu,
            mppsPerWorkerCpuSecond = perWorkerCpuSecond,
            drops = final.TotalDropped,
            conserved = final.IsConserved,
        }));
        return final.IsConserved ? 0 : 1;
    }

    private static byte[][] ReadFrames(string path)
    {
        using var pool = new PacketPool(bufferCount: 2, frameCapacity: 9216);
        using var reader = CaptureReader.Open(path, pool);
        var frames = new List<byte[]>();
        var packet = default(PacketDescriptor);
        while (reader.TryRead(ref packet) == CaptureReadResult.Packet)
        {
            frames.Add(packet.Data.ToArray());
            pool.Free(ref packet);
        }

        return frames.Count > 0 ? [.. frames] : throw new ConfigurationException("--frames", $"{path} holds no frames");
    }
}
