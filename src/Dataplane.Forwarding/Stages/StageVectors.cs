using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;

namespace Dataplane.Forwarding.Stages;

/// <summary>Running one stage on its own, outside a pipeline (tests, micro-benchmarks).</summary>
public static class StageVectors
{
    /// <summary>
    /// Runs <paramref name="stage"/> over the packets of <paramref name="packets"/> a pipeline would hand it: the
    /// pending ones of an accepted kind, in order.
    /// </summary>
    public static void Run(this IBatchStage stage, Span<PacketDescriptor> packets, WorkerCounters counters)
    {
        Span<ushort> vector = stackalloc ushort[packets.Length];
        int count = Select(packets, stage.Accepts, vector);
        stage.Run(packets, vector[..count], counters);
    }

    /// <summary>The indices of the pending packets whose kind is in <paramref name="kinds"/>, into <paramref name="vector"/>; returns how many.</summary>
    public static int Select(ReadOnlySpan<PacketDescriptor> packets, PacketKinds kinds, Span<ushort> vector)
    {
        int count = 0;
        for (int i = 0; i < packets.Length; i++)
        {
            if (packets[i].IsPending() && kinds.Contains(packets[i].Kind))
            {
                vector[count++] = (ushort)i;
            }
        }

        return count;
    }
}
