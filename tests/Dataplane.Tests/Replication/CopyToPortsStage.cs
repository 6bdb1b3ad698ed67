using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;

namespace Dataplane.Tests.Replication;

/// <summary>
/// The smallest stage that replicates: every native IPv4 packet goes out of each of <paramref name="egressPorts"/>,
/// the original on the first and a copy from the emitter on each other. So the tests see the primitive itself, apart
/// from any feature's forwarding decisions. A copy is stamped with its port number in its last byte, so a test can
/// tell that each copy has a buffer of its own.
/// </summary>
internal sealed class CopyToPortsStage(params ushort[] egressPorts) : IBatchStage, IEmittingStage
{
    private PacketEmitter? emitter;

    public string Name => "copy-to-ports";

    public PacketKinds Accepts => PacketKinds.NativeIpv4;

    public void UseEmitter(PacketEmitter emitter) => this.emitter = emitter;

    public void Run(Span<PacketDescriptor> packets, ReadOnlySpan<ushort> vector, WorkerCounters counters)
    {
        foreach (ushort index in vector)
        {
            ref var packet = ref packets[index];
            for (int i = 1; i < egressPorts.Length; i++)
            {
                if (emitter!.TryClone(packet, out var copy))
                {
                    copy.Data[^1] = (byte)egressPorts[i];
                    copy.EgressPort = egressPorts[i];
                    copy.Disposition = PacketDisposition.Transmit;
                    emitter.Emit(copy);
                }
            }

            packet.EgressPort = egressPorts[0];
            packet.Disposition = PacketDisposition.Transmit;
        }
    }
}
