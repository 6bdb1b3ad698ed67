using BenchmarkDotNet.Attributes;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.GtpU;
using Dataplane.Forwarding.Lisp;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Forwarding.Tof;
using Dataplane.Forwarding.Vxlan;
using Dataplane.Tables.Time;

namespace Dataplane.Benchmarks;

/// <summary>
/// One stage's <c>Run</c> alone over a batch of 256 copies of one frame, per packet. The plane is built from a golden
/// case's config.json (pcaps/golden/&lt;case&gt;); the stage is the one in <see cref="ForwardingPipeline.Stages"/> of a
/// worker from <see cref="ForwardingPlane.CreateWorker"/>. Before measuring, the case's whole input.pcap goes once
/// through that worker's pipeline (so stateful stages, the TOF's learned tunnels above all, are in steady state),
/// and the frame is the first input frame the stage handles without dropping it: after classify and the stages
/// before it, the stage transmits, punts or rewrites it. Each invocation restores the batch from a snapshot taken
/// just before the stage (descriptors as classified, bytes as the earlier stages left them: a 256-descriptor copy
/// and a frame-sized copy per packet) and runs the stage; <c>RestoreOnly</c> is that restore alone, to subtract.
/// For <c>classify</c> the snapshot is the unclassified frame and the measured call is <see cref="ClassifyStage.Run"/>
/// with the plane's <see cref="TunnelEndpoints"/>: <c>classify</c> a plain UDP frame (itr-v4-over-v4),
/// <c>classify-tunnel</c> a GTP-U frame to our address (gtpu-decap), <c>classify-transit</c> a LISP data frame on UDP
/// 4341 to another host (router-transit-tunnels): the destination test's hit and miss.
/// Setup throws unless the stage handled all 256 packets without a drop; cleanup throws if any packet was dropped
/// during the run. Compare with the per-packet budget of one core at 10GbE line rate: 67 ns (14.88 Mpps).
/// </summary>
[MemoryDiagnoser]
public class StageRunBenchmarks
{
    private const int BatchSize = PacketBatch.MaxCapacity;

    private readonly PacketBatch batch = new();
    private PacketDescriptor[] saved = [];
    private byte[][] savedBytes = [];
    private PacketPool pool = null!;
    private ForwardingPipeline worker = null!;
    private IBatchStage? stage;
    private TunnelEndpoints endpoints = TunnelEndpoints.ByPortAlone;
    private long droppedBefore;
    private uint ingressInstance;

    [Params("classify", "classify-tunnel", "classify-transit", "lisp-encap", "lisp-decap", "lisp-control", "routing", "vxlan-encap", "vxlan-decap", "gtpu-encap", "gtpu-decap", "tof-offload")]
    public string Stage { get; set; } = "classify";

    [GlobalSetup]
    public void Setup()
    {
        var (caseName, stageType) = Stage switch
        {
            "classify" => ("itr-v4-over-v4", null),
            "classify-tunnel" => ("gtpu-decap", null),
            "classify-transit" => ("router-transit-tunnels", (Type?)null),
            "lisp-encap" => ("itr-v4-over-v4", typeof(LispEncapsulationStage)),
            "lisp-decap" => ("etr-v4-in-v4", typeof(LispDecapsulationStage)),
            "lisp-control" => ("etr-control-punt", typeof(LispControlStage)),
            "routing" => ("native-routing", typeof(RoutingStage)),
            "vxlan-encap" => ("vtep-l2-encap", typeof(VxlanStage)),
            "vxlan-decap" => ("vtep-l2-decap", typeof(VxlanStage)),
            "gtpu-encap" => ("gtpu-encap", typeof(GtpUEndpointStage)),
            "gtpu-decap" => ("gtpu-decap", typeof(GtpUEndpointStage)),
            "tof-offload" => ("tof-one-armed-round-trip", typeof(TofStage)),
            _ => throw new ArgumentOutOfRangeException(nameof(Stage), Stage, "unknown stage"),
        };

        string dir = GoldenCases.Directory(caseName);
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Load(Path.Combine(dir, "config.json")), new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000), NonceSeed = 1 });
        worker = plane.CreateWorker();
        endpoints = plane.TunnelEndpoints;
        ingressInstance = plane.Ports.TryGet(0, out var ingress) ? ingress.InstanceId : 0;
        int stageIndex = -1;
        for (int i = 0; i < worker.Stages.Count && stageType is not null; i++)
        {
            if (worker.Stages[i].GetType() == stageType)
            {
                stageIndex = i;
                stage = worker.Stages[i];
                break;
            }
        }

        if (stageType is not null && stage is null)
        {
            throw new InvalidOperationException($"the {caseName} plane has no {stageType.Name}");
        }

        List<byte[]> frames = GoldenCases.ReadFrames(Path.Combine(dir, "input.pcap"));
        pool = new PacketPool(BatchSize);
        for (int i = 0; i < BatchSize; i++)
        {
            var packet = default(PacketDescriptor);
            pool.TryAllocate(ref packet);
            batch.TryAdd(packet);
        }

        var raw = batch.AsSpan().ToArray();
        Teach(frames, raw[0]);
        byte[] frame = frames.Find(f => Handles(Prepare(f, raw, stageIndex, count: 1))) ?? throw new InvalidOperationException($"no frame of {caseName}/input.pcap is handled by the {Stage} stage without a drop");
        Prepare(frame, raw, stageIndex, count: BatchSize);
        saved = batch.AsSpan().ToArray();
        savedBytes = new byte[BatchSize][];
        for (int i = 0; i < BatchSize; i++)
        {
            savedBytes[i] = saved[i].Data.ToArray();
        }

        if (!Handles(BatchSize))
        {
            throw new InvalidOperationException($"the {Stage} stage did not handle all {BatchSize} packets without a drop: the figure would measure another path");
        }

        RunStage();
        var handled = batch[0];
        Console.WriteLine($"// {Stage}: {caseName}/input.pcap frame #{frames.IndexOf(frame)} ({frame.Length} bytes) -> {stage?.Name ?? "classify"}: "
            + $"disposition {handled.Disposition}, kind {handled.Kind}, flags 0x{handled.Flags:x2}, length {handled.Length}, egress port {handled.EgressPort}");
        droppedBefore = worker.Counters.TotalDropped;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        long dropped = worker.Counters.TotalDropped - droppedBefore;
        saved.CopyTo(batch.AsSpan());
        pool.Free(batch);
        pool.Dispose();
        if (dropped != 0)
        {
            throw new InvalidOperationException($"{dropped} packets were dropped during the run: the figure measured a drop path");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = BatchSize)]
    public void RestoreOnly() => Restore();

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public void RunStage()
    {
        Restore();
        if (stage is null)
        {
            ClassifyStage.Run(batch, worker.Counters, endpoints);
        }
        else
        {
            stage.Run(batch.AsSpan(), worker.Counters);
        }
    }

    private void Restore()
    {
        var packets = batch.AsSpan();
        var descriptors = saved;
        var bytes = savedBytes;
        for (int i = 0; i < packets.Length; i++)
        {
            packets[i] = descriptors[i];
            bytes[i].CopyTo(packets[i].Data);
        }
    }

    /// <summary>Runs the case's input through the whole pipeline once, in order, one frame per batch (learning, as a replay does).</summary>
    private void Teach(List<byte[]> frames, PacketDescriptor buffer)
    {
        var one = new PacketBatch(1);
        foreach (byte[] frame in frames)
        {
            var packet = buffer;
            Load(ref packet, frame);
            one.Clear();
            one.TryAdd(packet);
            worker.Process(one);
        }
    }

    /// <summary>
    /// Puts <paramref name="frame"/> into the first <paramref name="count"/> packets as it arrives on port 0, then (for
    /// a stage other than classify) classifies them and runs the stages before the measured one, leaving the batch as
    /// the measured stage would see it. Returns <paramref name="count"/>.
    /// </summary>
    private int Prepare(byte[] frame, PacketDescriptor[] raw, int stageIndex, int count)
    {
        batch.Clear();
        for (int i = 0; i < count; i++)
        {
            var packet = raw[i];
            Load(ref packet, frame);
            packet.InstanceId = ingressInstance; // as ForwardingPipeline.Process does before classifying
            batch.TryAdd(packet);
        }

        if (stage is not null)
        {
            ClassifyStage.Run(batch, worker.Counters, endpoints);
            for (int s = 0; s < stageIndex; s++)
            {
                worker.Stages[s].Run(batch.AsSpan(), worker.Counters);
            }
        }

        return count;
    }

    /// <summary>Runs the measured call on the prepared batch and says whether every packet was handled and none dropped.</summary>
    private bool Handles(int count)
    {
        var before = batch.AsSpan().ToArray();
        var beforeBytes = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            beforeBytes[i] = before[i].Data.ToArray();
        }

        foreach (var packet in before)
        {
            if (packet.IsDropped || packet.Disposition != PacketDisposition.Pending)
            {
                return false; // dropped or decided before the measured stage
            }
        }

        if (stage is null)
        {
            ClassifyStage.Run(batch, worker.Counters, endpoints);
        }
        else
        {
            stage.Run(batch.AsSpan(), worker.Counters);
        }

        var after = batch.AsSpan();
        for (int i = 0; i < count; i++)
        {
            ref var a = ref after[i];
            var b = before[i];
            bool changed = stage is null
                ? a.Kind != PacketKind.Unclassified
                : a.Disposition != b.Disposition || a.DataOffset != b.DataOffset || a.Length != b.Length || a.Kind != b.Kind
                  || a.Flags != b.Flags || a.EgressPort != b.EgressPort || !a.Data.SequenceEqual(beforeBytes[i]);
            if (a.IsDropped || !changed)
            {
                // Put the batch back as prepared so a retry starts from the same state.
                before.CopyTo(after);
                for (int j = 0; j < count; j++)
                {
                    beforeBytes[j].CopyTo(after[j].Data);
                }

                return false;
            }
        }

        before.CopyTo(after);
        for (int j = 0; j < count; j++)
        {
            beforeBytes[j].CopyTo(after[j].Data);
        }

        return true;
    }

    private static void Load(ref PacketDescriptor packet, byte[] frame)
    {
        packet.Reattach(PacketPool.DefaultHeadroom, frame.Length);
        frame.CopyTo(packet.Data);
        packet.IngressPort = 0;
        packet.Disposition = PacketDisposition.Pending;
        packet.DropReason = 0;
        packet.Kind = PacketKind.Unclassified;
        packet.Flags = 0;
        packet.EgressPort = 0;
        packet.InstanceId = 0;
    }
}
