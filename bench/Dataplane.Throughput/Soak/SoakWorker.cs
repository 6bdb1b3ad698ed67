using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Runtime.Workers;
using Dataplane.Throughput.Scenarios;

namespace Dataplane.Throughput.Soak;

/// <summary>
/// One soak worker: its scenario's ring into its pipeline, whole batches, until told to stop. The packet count is
/// published for the sampler after every batch; the loop allocates nothing (ring and batch preallocated). Between
/// batches it passes the <see cref="QuiescenceBarrier"/>, as the daemon's workers do, so the soak's control side can
/// reclaim the table memory that updates retire.
/// </summary>
internal sealed class SoakWorker
{
    private readonly PacketBatch batch = new();
    private readonly PacketRing ring;
    private long packets;
    private volatile bool stop;

    private readonly QuiescenceBarrier barrier;

    public SoakWorker(string name, IScenario scenario, ScenarioSettings settings, ForwardingPipeline pipeline, QuiescenceBarrier barrier)
    {
        this.barrier = barrier;
        Name = name;
        Scenario = scenario;
        Pipeline = pipeline;
        ring = new PacketRing(scenario, settings, 16_384, scenario.MinimumFrameLength);
    }

    public string Name { get; }

    public IScenario Scenario { get; }

    public ForwardingPipeline Pipeline { get; }

    /// <summary>Packets handed to the pipeline so far.</summary>
    public long Packets => Volatile.Read(ref packets);

    public string? Failure { get; private set; }

    public void Stop() => stop = true;

    public void Run()
    {
        barrier.Enter();
        try
        {
            var pipeline = Pipeline;
            while (!stop)
            {
                barrier.PassQuiescentPoint();
                ring.Receive(batch);
                pipeline.Process(batch);
                Volatile.Write(ref packets, packets + batch.Count);
            }
        }
        catch (Exception exception)
        {
            Failure = $"{Name}: {exception.GetType().Name}: {exception.Message}";
        }
        finally
        {
            barrier.Leave();
            ring.Dispose();
        }
    }
}
