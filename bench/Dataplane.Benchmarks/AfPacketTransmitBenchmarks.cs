using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Dataplane.Forwarding.Buffers;
using Dataplane.Ports.AfPacket;
using Dataplane.Runtime.Ports;

namespace Dataplane.Benchmarks;

/// <summary>
/// What the AF_PACKET port costs per transmitted frame: bursts of 32 frames of 60 bytes into one end of a veth pair
/// whose other end drops them (addressed to a MAC it does not have, an EtherType nothing handles), so the time is the
/// copy, the system call and the kernel's transmit path up to the peer's door. Through the transmit ring and through
/// sendmmsg, each with and without PACKET_QDISC_BYPASS (veth's qdisc is noqueue, so bypass skips little but the
/// taps). Needs root (a veth pair, a packet socket); the pair is removed by name at the end.
/// </summary>
[MemoryDiagnoser]
public class AfPacketTransmitBenchmarks
{
    private const int Burst = 32;
    private const int FrameLength = 60;

    private string _interface = "";
    private string _peer = "";
    private PacketPool? _pool;
    private AfPacketPort? _port;
    private PortSet? _ports;
    private readonly PacketDescriptor[] _packets = new PacketDescriptor[Burst];

    [Params("ring", "ring-bypass", "sendmmsg", "sendmmsg-bypass")]
    public string Path { get; set; } = "ring";

    [GlobalSetup]
    public void Setup()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("AfPacketTransmitBenchmarks needs root: a veth pair and a packet socket");
        }
        _interface = $"dbtx{Environment.ProcessId}";
        _peer = $"dbrx{Environment.ProcessId}";
        Ip($"link add {_interface} type veth peer name {_peer}");
        Ip($"link set {_interface} up");
        Ip($"link set {_peer} up");
        var options = new AfPacketOptions
        {
            TransmitFrameCount = Path.StartsWith("ring", StringComparison.Ordinal) ? 1024 : 0,
            QdiscBypass = Path.EndsWith("bypass", StringComparison.Ordinal),
            // Receive stays idle here: a small receive ring.
            BlockSize = 64 * 1024,
            BlockCount = 4,
        };
        _pool = new PacketPool(2 * Burst);
        _port = new AfPacketPort(0, _interface, 1, options);
        _ports = new PortSet([_port, new PoolPort(1, _pool)]);

        // Every pool buffer holds the frame once; a burst only sets lengths, so the copy measured is the port's.
        var all = new PacketDescriptor[_pool.BufferCount];
        _pool.TryAllocateBulk(all);
        foreach (ref var packet in all.AsSpan())
        {
            packet.TryAppend(FrameLength, out var frame);
            frame.Clear();
            frame[5] = 0x99;
            frame[0] = 0x02;
            frame[6] = 0x02;
            frame[12] = 0x88;
            frame[13] = 0xB5;
        }
        _pool.FreeBulk(all);
    }

    [Benchmark(OperationsPerInvoke = Burst)]
    public int TransmitBurst()
    {
        _pool!.TryAllocateBulk(_packets);
        for (var i = 0; i < _packets.Length; i++)
        {
            _packets[i].TryAppend(FrameLength, out _);
            _packets[i].IngressPort = 1;
        }
        var sent = _port!.Transmit(0, _packets, _ports!);
        for (var i = sent; i < _packets.Length; i++)
        {
            _pool.Free(ref _packets[i]);
        }
        return sent;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ports?.Dispose();
        _port?.Dispose();
        _pool?.Dispose();
        Ip($"link del {_interface}");
    }

    private static void Ip(string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("ip", arguments) { UseShellExecute = false, RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip {arguments} failed: {error}");
        }
    }

    /// <summary>Owns the pool the frames come from, as another port would.</summary>
    private sealed class PoolPort(ushort id, PacketPool pool) : IPacketPort
    {
        public ushort Id => id;
        public string Name => "pool";
        public int QueueCount => 1;
        public PortStatistics Statistics => default;
        public int Receive(int queue, PacketBatch batch) => 0;
        public int Transmit(int queue, Span<PacketDescriptor> packets, PortSet owners) => 0;
        public void Free(ref PacketDescriptor packet) => pool.Free(ref packet);
        public void Dispose()
        {
        }
    }
}
