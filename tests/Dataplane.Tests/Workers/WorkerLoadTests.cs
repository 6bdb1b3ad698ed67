using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Runtime.Ports;
using Dataplane.Runtime.Workers;
using Dataplane.Tables.Time;

namespace Dataplane.Tests.Workers;

/// <summary>
/// A worker's load figures (polls, busy polls, busy time) and the use of the injection pool, through real rounds of
/// <see cref="ForwardingWorker.PollOnce"/> over a recording port and the injection port.
/// </summary>
public sealed class WorkerLoadTests
{
    [Fact]
    public void Every_round_counts_only_rounds_that_received_are_busy_and_one_round_in_16_is_timed()
    {
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(InjectionPortTests.Config), new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000) });
        using var wire = new InjectionPortTests.RecordingPort(0);
        using var inject = new InjectionPort(1, queues: 1, bufferCount: 8);
        var worker = new ForwardingWorker(0, plane.CreateWorker(), new PortSet([wire, inject]));
        var load = worker.Pipeline.Load;

        for (int round = 1; round <= 15; round++)
        {
            Assert.Equal(0, worker.PollOnce());
        }

        Assert.Equal(15, load.Polls);
        Assert.Equal(0, load.BusyPolls);
        Assert.Equal(0, load.BusyTicks);

        Assert.True(inject.TryInject(InjectionPortTests.Datagram(100, 7)));
        Assert.True(inject.TryInject(InjectionPortTests.Datagram(100, 8)));
        Assert.Equal(2, worker.PollOnce()); // round 16: timed
        long timedTicks = load.BusyTicks;
        Assert.True(timedTicks > 0, "the timed busy round added no time");
        Assert.Equal(0, timedTicks % WorkerLoad.SampleEvery); // it stands for the 16 rounds of its sample

        Assert.True(inject.TryInject(InjectionPortTests.Datagram(100, 9)));
        Assert.Equal(1, worker.PollOnce()); // round 17: busy, not timed
        worker.PollOnce();

        Assert.Equal(18, load.Polls);
        Assert.Equal(2, load.BusyPolls);
        Assert.Equal(timedTicks, load.BusyTicks);
        Assert.Equal(3, wire.Sent.Count);
    }

    [Fact]
    public void The_injection_pool_reports_buffers_taken_until_the_worker_sends_them()
    {
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(InjectionPortTests.Config), new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000) });
        using var wire = new InjectionPortTests.RecordingPort(0);
        using var inject = new InjectionPort(1, queues: 1, bufferCount: 8);
        var worker = new ForwardingWorker(0, plane.CreateWorker(), new PortSet([wire, inject]));

        Assert.True(inject.TryInject(InjectionPortTests.Datagram(100, 7)));
        Assert.True(inject.TryInject(InjectionPortTests.Datagram(100, 8)));
        Assert.Equal(new BufferPoolUse("control-inject", 2, 8), Assert.Single(inject.BufferPools));

        worker.PollOnce();
        Assert.Equal(new BufferPoolUse("control-inject", 0, 8), Assert.Single(inject.BufferPools));
    }

    [Fact]
    public void Replica_pools_are_one_per_worker_and_count_what_is_taken()
    {
        using var replicas = new ReplicaPort(5, workers: 2, buffersPerWorker: 16);
        Assert.True(replicas.BufferSourceFor(1).TryAllocate(out var packet));

        Assert.Equal([new BufferPoolUse("replicas-worker-0", 0, 16), new BufferPoolUse("replicas-worker-1", 1, 16)], replicas.BufferPools);
        replicas.Free(ref packet);
        Assert.Equal(0, replicas.BufferPools[1].InUse);
    }
}
