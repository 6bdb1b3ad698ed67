using System.Diagnostics;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Ports.Dpdk;
using Dataplane.Ports.Pcap;
using Dataplane.Runtime.Ports;
using Dataplane.Tables.Time;
using DpdkSharp;

namespace Dataplane.Host.Dpdk;

/// <summary>
/// <c>dataplane dpdk-forward --config CFG [--eal "ARGS"] [--device DEV] [--inject CAP] [--idle-ms N]</c>: a hidden verb for tests and bring-up.
/// Initialises EAL (once per process, hence a verb run as a child process), opens the DPDK ports, runs one worker's
/// pipeline on queue 0 until nothing has arrived for the idle time, prints the counters and exits.
/// </summary>
/// <remarks>
/// Each config port is opened on its <c>dpdkDevice</c>. A port without one shares the device of port 0, so a
/// single vdev (e.g. <c>net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap</c>) can carry a whole golden case: everything
/// transmitted, whatever the egress port, lands in one capture in pipeline order. The clock stands still (the
/// replay's deterministic time), so outputs repeat exactly.
/// </remarks>
public static class DpdkForwardCommand
{
    public static int Execute(DpdkForwardOptions options, TextWriter output, TextWriter error)
    {
        string configPath = options.ConfigPath;
        string? eal = options.Eal;
        string? device0 = options.Device;
        string? inject = options.InjectPath;
        int idleMs = options.IdleMilliseconds;
        try
        {
            var config = DataplaneConfigFile.Load(configPath);
            var plane = ForwardingPlaneBuilder.Build(config, new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000), NonceSeed = 1 });
            IReadOnlyList<string> ealArguments = eal is null ? config.Dpdk?.Eal ?? [] : eal.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Eal.Initialize(ealArguments);
            var pool = Mempool.Create("dataplane_pool", config.Dpdk?.MbufCount ?? 8191);
            return Forward(config, device0, inject, plane, pool, TimeSpan.FromMilliseconds(idleMs), output);
        }
        catch (ConfigurationException e)
        {
            error.WriteLine($"dataplane dpdk-forward: {configPath}: {e.Message}");
            return 2;
        }
        catch (DpdkException e)
        {
            error.WriteLine($"dataplane dpdk-forward: {e.Message}");
            return 1;
        }
    }

    private static int Forward(DataplaneConfig config, string? device0, string? inject, ForwardingPlane plane, Mempool pool, TimeSpan idle, TextWriter output)
    {
        // Open one DpdkPort per distinct device; config ports without a device alias port 0's.
        var devices = new List<DpdkPort>();
        var egress = new DpdkPort[config.Ports.Count];
        for (int i = 0; i < config.Ports.Count; i++)
        {
            var port = config.Ports[i];
            string? device = port.DpdkDevice ?? (i == 0 ? device0 : null);
            if (device is null)
            {
                if (i == 0)
                {
                    throw new DpdkException($"ports[0].dpdkDevice (or --device) is required: the device other ports without one share");
                }

                egress[i] = egress[0];
                continue;
            }

            var open = devices.Find(d => d.Device == device);
            if (open is null)
            {
                open = new DpdkPort((ushort)devices.Count, port.Name, device, queues: 1, pool, port.Mtu);
                if (open.Id != i)
                {
                    throw new DpdkException($"ports[{i}] ({port.Name}): ports with their own dpdkDevice must come before ports sharing port 0's");
                }

                devices.Add(open);
            }

            egress[i] = open;
        }

        using var owners = new PortSet(devices);
        if (inject is not null)
        {
            int injected = Inject(inject, devices[0]);
            output.WriteLine($"injected {injected} frames of {inject} on {devices[0].Device}");
        }

        var pipeline = plane.CreateWorker();
        // Replicas (flood copies) are mbufs of the receiving device's pool, as in the daemon.
        pipeline.Emitter.UseSources([.. devices.Select(d => d.BufferSourceFor(0))], null);
        var batch = new PacketBatch();
        var staging = new PacketDescriptor[pipeline.Emitter.Capacity];
        long freedUnsent = 0;
        var lastArrival = Stopwatch.StartNew();
        var elapsed = Stopwatch.StartNew();
        while (lastArrival.Elapsed < idle)
        {
            bool any = false;
            foreach (var port in devices)
            {
                batch.Clear();
                if (port.Receive(0, batch) == 0)
                {
                    continue;
                }

                any = true;
                pipeline.Process(batch);
                freedUnsent += TransmitAndFree(batch.AsSpan(), egress, devices, staging, owners);
                freedUnsent += TransmitAndFree(pipeline.Emitter.Packets, egress, devices, staging, owners);
                pipeline.Emitter.Clear();
                while (pipeline.Punts.TryDequeue(out var punted))
                {
                    owners.Free(ref punted); // no control plane here: a punt is counted by the pipeline, then freed
                }

                plane.ReclaimRetired();
            }

            if (any)
            {
                lastArrival.Restart();
            }
            else
            {
                Thread.Yield();
            }
        }

        var counters = plane.Counters();
        output.WriteLine($"forwarded on DPDK ports [{string.Join(", ", devices.Select(d => d.Device))}] in {(elapsed.Elapsed - idle).TotalMilliseconds:F1} ms (+{idle.TotalMilliseconds:F0} ms idle)");
        output.WriteLine(counters.ToTable());
        foreach (var port in devices)
        {
            var s = port.Statistics;
            output.WriteLine($"port {port.Name} ({port.Device}): rx {s.ReceivedPackets} tx {s.TransmittedPackets} rx-drops {s.ReceiveDrops} tx-errors {s.TransmitErrors} xstats {EthDev.ExtendedStatisticsCount((ushort)port.Id)}");
        }

        output.WriteLine($"tx queue full (freed unsent) {freedUnsent}");
        return counters.IsConserved ? 0 : 1;
    }

    private static int Inject(string capturePath, DpdkPort port)
    {
        using var pool = new PacketPool(bufferCount: 2, frameCapacity: 9216);
        using var reader = CaptureReader.Open(capturePath, pool);
        var packet = default(PacketDescriptor);
        int injected = 0;
        while (reader.TryRead(ref packet) == CaptureReadResult.Packet)
        {
            if (port.TryInject(packet.Data))
            {
                injected++;
            }

            pool.Free(ref packet);
        }

        return injected;
    }

    /// <summary>Sends the transmitted packets per device, in order, a burst at a time; frees drops and anything a queue would not take.</summary>
    private static long TransmitAndFree(Span<PacketDescriptor> batch, DpdkPort[] egress, List<DpdkPort> devices, PacketDescriptor[] staging, PortSet owners)
    {
        long unsent = 0;
        foreach (ref var packet in batch)
        {
            if (packet.IsDropped)
            {
                owners.Free(ref packet);
            }
        }

        foreach (var device in devices)
        {
            int n = 0;
            foreach (ref var packet in batch)
            {
                if (!packet.IsDropped && packet.Disposition == PacketDisposition.Transmit && egress[packet.EgressPort] == device)
                {
                    staging[n++] = packet;
                }
            }

            for (int start = 0; start < n; start += PacketBatch.MaxCapacity)
            {
                var burst = staging.AsSpan(start, Math.Min(PacketBatch.MaxCapacity, n - start));
                int sent = device.Transmit(0, burst, owners);
                for (int i = sent; i < burst.Length; i++)
                {
                    owners.Free(ref burst[i]);
                    unsent++;
                }
            }
        }

        return unsent;
    }
}
