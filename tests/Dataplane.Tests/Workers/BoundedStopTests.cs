using System.Diagnostics;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Runtime.Ports;
using Dataplane.Runtime.Workers;

namespace Dataplane.Tests.Workers;

/// <summary>
/// The stop is bounded and says what is stuck (a slow stop with two AF_PACKET ports): a worker that never
/// comes back from a port call is named with the call and the port, and the stop returns at the bound instead of
/// joining forever; a port whose close hangs is named and left behind. The hang is a port made to block (the real
/// suspects are kernel calls that cannot be made to hang on demand); everything else is the real runtime.
/// </summary>
public sealed class BoundedStopTests
{
    private const string Config = """
        {
          "roles": [],
          "ports": [ { "name": "p0", "mac": "02:00:00:00:00:01", "addresses": ["192.0.2.1"] } ],
          "neighbours": [ { "address": "192.0.2.254", "mac": "02:00:00:00:ff:01", "port": "p0" } ],
          "routes": [ { "prefix": "198.51.100.0/24", "nextHop": "192.0.2.254", "port": "p0" } ]
        }
        """;

    [Theory]
    [InlineData(BlockingPort.Call.Receive, "receive on port hangs")]
    [InlineData(BlockingPort.Call.Transmit, "transmit on port hangs")]
    public void AWorkerStuckInAPortCallIsNamedAndTheStopReturnsAtTheBound(BlockingPort.Call call, string expectedActivity)
    {
        using var port = new BlockingPort(call);
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(Config), new ForwardingPlaneOptions());
        var runtime = new DataplaneRuntime(plane, new PortSet([port]), workerCount: 1, cores: []);
        runtime.Start();
        Assert.True(port.Entered.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken), "the worker never reached the port call");

        var watch = Stopwatch.StartNew();
        var problems = runtime.Stop(TimeSpan.FromMilliseconds(500));
        watch.Stop();

        var problem = Assert.Single(problems);
        Assert.Contains("worker 0 did not stop", problem, StringComparison.Ordinal);
        Assert.Contains(expectedActivity, problem, StringComparison.Ordinal);
        Assert.True(runtime.StuckWorkers);
        Assert.False(runtime.StoppedCleanly);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(3));

        // Once the port call returns, the worker sees the stop and ends.
        port.Release();
        Assert.True(SpinWait.SpinUntil(() => runtime.Workers[0].Phase == WorkerPhase.Stopped, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void AStopWithNothingStuckIsCleanAndQuick()
    {
        using var port = new BlockingPort(call: null);
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(Config), new ForwardingPlaneOptions());
        using var runtime = new DataplaneRuntime(plane, new PortSet([port]), workerCount: 2, cores: []);
        runtime.Start();
        Thread.Sleep(50);

        var watch = Stopwatch.StartNew();
        Assert.Empty(runtime.Stop(TimeSpan.FromSeconds(5)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"stop took {watch.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(runtime.StoppedCleanly);
        Assert.All(runtime.Workers, w => Assert.Equal(WorkerPhase.Stopped, w.Phase));
    }

    [Fact]
    public void APortWhoseCloseHangsIsNamedAndTheOthersAreClosed()
    {
        using var hanging = new BlockingPort(BlockingPort.Call.Dispose, id: 0);
        using var fine = new BlockingPort(call: null, id: 1, name: "fine");
        var ports = new PortSet([hanging, fine]);

        var watch = Stopwatch.StartNew();
        var results = ports.DisposeWithin(TimeSpan.FromMilliseconds(300));

        Assert.Equal(["hangs", "fine"], results.Select(r => r.Port));
        Assert.False(results[0].Finished);
        Assert.Contains("port hangs: close did not finish", results[0].ToString(), StringComparison.Ordinal);
        Assert.True(results[1].Clean);
        Assert.True(fine.Disposed);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3));
        Assert.Empty(ports.DisposeWithin(TimeSpan.FromSeconds(1))); // once only
        hanging.Release();
    }

    /// <summary>A port whose chosen call blocks until released; otherwise an empty, idle port.</summary>
    public sealed class BlockingPort(BlockingPort.Call? call, ushort id = 0, string name = "hangs") : IPacketPort
    {
        private readonly ManualResetEventSlim released = new();
        private readonly PacketPool pool = new(bufferCount: 64);
        private readonly byte[] routedFrame = Lisp.LispTestFrames.Ipv4Udp("203.0.113.9", "198.51.100.9");

        public enum Call
        {
            Receive,
            Transmit,
            Dispose,
        }

        public ManualResetEventSlim Entered { get; } = new();

        public bool Disposed { get; private set; }

        public ushort Id => id;

        public string Name => name;

        public int QueueCount => 2;

        public PortStatistics Statistics => default;

        public int Receive(int queue, PacketBatch batch)
        {
            if (call == Call.Receive)
            {
                Block();
            }

            if (call == Call.Transmit && !released.IsSet)
            {
                // A frame routed back out of this port (198.51.100.0/24 via p0), so the worker has something to transmit.
                var packet = default(PacketDescriptor);
                if (pool.TryAllocate(ref packet) && packet.TrySetLength(routedFrame.Length))
                {
                    routedFrame.CopyTo(packet.Data);
                    packet.IngressPort = id;
                    batch.TryAdd(packet);
                    return 1;
                }
            }

            return 0;
        }

        public int Transmit(int queue, Span<PacketDescriptor> packets, PortSet owners)
        {
            if (call == Call.Transmit)
            {
                Block();
            }

            return 0;
        }

        public void Free(ref PacketDescriptor packet) => pool.Free(ref packet);

        public void Release() => released.Set();

        public void Dispose()
        {
            if (call == Call.Dispose)
            {
                Block();
            }

            Disposed = true;
            if (released.IsSet || call != Call.Dispose)
            {
                pool.Dispose();
            }
        }

        private void Block()
        {
            Entered.Set();
            released.Wait();
        }
    }
}
