using System.Text.Json.Nodes;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Lisp;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;
using Dataplane.Tables.Time;
using Dataplane.Tests.Golden;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Lisp;

/// <summary>
/// A forwarding plane built from a golden case's configuration (optionally with other roles), with a pool and a
/// batch, that runs either the decapsulation stage alone after classification (to look at the descriptor as the
/// stage leaves it, before routing) or the whole pipeline.
/// </summary>
internal sealed class LispDecapsulationHarness : IDisposable
{
    private readonly PacketPool pool = new(2 * PacketBatch.MaxCapacity, 2048, 256);

    public LispDecapsulationHarness(string goldenCase = "etr-v4-in-v4", params string[] roles)
    {
        var config = JsonNode.Parse(File.ReadAllText(new GoldenCase(goldenCase).ConfigPath))!;
        if (roles.Length > 0)
        {
            config["roles"] = new JsonArray(roles.Select(r => (JsonNode)JsonValue.Create(r)).ToArray());
        }

        Plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(config.ToJsonString()), new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000), NonceSeed = 1 });
        Feature = Plane.Feature<LispDecapsulationFeature>() ?? throw new InvalidOperationException("no LISP decapsulation feature");
        Stage = (LispDecapsulationStage)Feature.CreateStage(Plane);
        Pipeline = Plane.CreateWorker();
    }

    public ForwardingPlane Plane { get; }

    public LispDecapsulationFeature Feature { get; }

    public LispDecapsulationStage Stage { get; }

    public ForwardingPipeline Pipeline { get; }

    public WorkerCounters StageCounters { get; } = new();

    public PacketBatch Batch { get; } = new();

    /// <summary>The input frames of a golden case (made by Scapy).</summary>
    public static List<byte[]> GoldenInput(string goldenCase) => CaptureFrames.Read(new GoldenCase(goldenCase).InputPath);

    /// <summary>Frees the previous batch and fills it with <paramref name="frames"/> as received on port 0.</summary>
    public void Fill(IReadOnlyList<byte[]> frames)
    {
        foreach (ref var packet in Batch.AsSpan())
        {
            if (packet.Disposition != PacketDisposition.Punt || packet.IsDropped)
            {
                pool.Free(ref packet);
            }
        }

        Batch.Clear();
        while (Pipeline.Punts.TryDequeue(out var punted))
        {
            pool.Free(ref punted);
        }

        for (int i = 0; i < frames.Count; i++) // indexed: foreach over the interface would box an enumerator
        {
            byte[] frame = frames[i];
            var packet = default(PacketDescriptor);
            Assert.True(pool.TryAllocate(ref packet));
            frame.CopyTo(packet.BufferSpan[packet.DataOffset..]);
            Assert.True(packet.TrySetLength(frame.Length));
            Assert.True(Batch.TryAdd(packet));
        }
    }

    /// <summary>Classification and the LISP stages that run before routing (control, decapsulation): the descriptors as routing would receive them.</summary>
    public Span<PacketDescriptor> RunStage(IReadOnlyList<byte[]> frames)
    {
        Fill(frames);
        var packets = Batch.AsSpan();
        foreach (ref var packet in packets)
        {
            packet.Disposition = PacketDisposition.Pending;
        }

        ClassifyStage.Run(Batch, StageCounters);
        new LispControlStage(Plane, Feature.Tables).Run(packets, StageCounters);
        Stage.Run(packets, StageCounters);
        return packets;
    }

    /// <summary>The whole pipeline (classify, decapsulation, routing, settle).</summary>
    public Span<PacketDescriptor> Process(IReadOnlyList<byte[]> frames)
    {
        Fill(frames);
        Pipeline.Process(Batch);
        return Batch.AsSpan();
    }

    /// <summary>Runs Scapy (with goldenlib's lisp_header) and returns one frame per line the script prints as hex.</summary>
    public static List<byte[]> Scapy(string body)
    {
        string script = $"""
            import sys
            sys.path.insert(0, {System.Text.Json.JsonSerializer.Serialize(GoldenCase.Root)})
            from scapy.all import *
            from goldenlib import lisp_header
            def emit(p): print(bytes(p).hex())
            {body}
            """;
        return ScapyOracle.Run("-c", script).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Convert.FromHexString).ToList();
    }

    public void Dispose()
    {
        Fill([]);
        pool.Dispose();
    }
}
