using System.Runtime.CompilerServices;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Stages;

namespace Dataplane.Forwarding.Pipeline;

/// <summary>
/// The edges of one worker's forwarding graph and the vectors that travel them, as VPP's node graph: classify hands
/// each packet to the first stage that accepts its kind; after a stage runs, each packet it left pending goes to the
/// next stage (later in <see cref="StageOrder"/>) that accepts its kind, which the stage may have changed (a
/// decapsulated packet becomes native IP). A stage therefore sees only its own packets, and nothing scans the batch
/// per stage. A vector holds what classify sent in batch order, then what each earlier stage handed on: the packets
/// of one flow take one path, so their order is kept. Packets no stage takes are left to the settle pass (NoHandler). The edges are computed
/// once from the stages' <see cref="IBatchStage.Accepts"/>; the vectors are preallocated, one per stage.
/// </summary>
public sealed class StageGraph
{
    // One row of next stages per kind: PacketKind is a byte below 16 (PacketKinds is a 16-bit set).
    private const int KindSlots = 16;
    private const sbyte NoStage = -1;

    // Every packet writes a count and a vector slot. Workers build their graphs one after the other, so one worker's
    // arrays can sit next to another's on the heap: two cache lines of padding on each side keep a worker's writes
    // off the lines another worker writes (the L2 prefetcher moves lines in pairs).
    private const int CountPadding = 32;
    private const int VectorPadding = 64;

    private readonly sbyte[] entry = new sbyte[KindSlots];
    private readonly sbyte[] next;
    private readonly ushort[] vectors;
    private readonly int[] counts;

    public StageGraph(IReadOnlyList<IBatchStage> stages)
    {
        if (stages.Count > sbyte.MaxValue)
        {
            throw new ArgumentException($"{stages.Count} stages: at most {sbyte.MaxValue}", nameof(stages));
        }

        StageCount = stages.Count;
        next = new sbyte[(StageCount + 1) * KindSlots];
        vectors = new ushort[VectorPadding + StageCount * PacketBatch.MaxCapacity + VectorPadding];
        counts = new int[CountPadding + StageCount + CountPadding];
        for (int kind = 0; kind < KindSlots; kind++)
        {
            entry[kind] = FirstAccepting(stages, 0, kind);
            for (int s = 0; s < StageCount; s++)
            {
                next[s * KindSlots + kind] = FirstAccepting(stages, s + 1, kind);
            }
        }
    }

    public int StageCount { get; }

    /// <summary>The stage a pending packet of <paramref name="kind"/> goes to first, or -1 when none takes it.</summary>
    public int EntryOf(PacketKind kind) => entry[(int)kind & (KindSlots - 1)];

    /// <summary>Where a packet of <paramref name="kind"/> that <paramref name="stage"/> left pending goes next, or -1.</summary>
    public int NextOf(int stage, PacketKind kind) => next[stage * KindSlots + ((int)kind & (KindSlots - 1))];

    /// <summary>Starts a batch: every vector empty.</summary>
    public void Begin() => counts.AsSpan(CountPadding, StageCount).Clear();

    /// <summary>Packet <paramref name="index"/> of the batch, pending, joins the vector of the first stage that accepts <paramref name="kind"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enter(int index, PacketKind kind) => Append(entry[(int)kind & (KindSlots - 1)], index);

    /// <summary>The packets waiting for <paramref name="stage"/>; complete once every earlier stage has run and forwarded.</summary>
    public ReadOnlySpan<ushort> VectorOf(int stage) => vectors.AsSpan(VectorPadding + stage * PacketBatch.MaxCapacity, counts[CountPadding + stage]);

    /// <summary>After <paramref name="stage"/> ran over <paramref name="vector"/>: each packet it left pending moves on.</summary>
    public void Forward(int stage, ReadOnlySpan<PacketDescriptor> packets, ReadOnlySpan<ushort> vector)
    {
        var row = next.AsSpan(stage * KindSlots, KindSlots);
        foreach (ushort i in vector)
        {
            ref readonly var packet = ref packets[i];
            if (packet.IsPending())
            {
                Append(row[(int)packet.Kind & (KindSlots - 1)], i);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Append(int stage, int packet)
    {
        if (stage >= 0)
        {
            vectors[VectorPadding + stage * PacketBatch.MaxCapacity + counts[CountPadding + stage]++] = (ushort)packet;
        }
    }

    private static sbyte FirstAccepting(IReadOnlyList<IBatchStage> stages, int from, int kind)
    {
        for (int s = from; s < stages.Count; s++)
        {
            if (stages[s].Accepts.Contains((PacketKind)kind))
            {
                return (sbyte)s;
            }
        }

        return NoStage;
    }
}
