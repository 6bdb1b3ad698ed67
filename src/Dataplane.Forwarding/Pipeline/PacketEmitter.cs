using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;

namespace Dataplane.Forwarding.Pipeline;

/// <summary>
/// One worker's way for a stage to send more packets than it received: a copy of a packet (<see cref="TryClone"/>,
/// VXLAN flooding) or a fresh buffer to write a packet into (<see cref="TryAllocate"/>, a second fragment), each then
/// handed over with <see cref="Emit"/>. Emitted packets do not run through the remaining stages: the stage that emits
/// one has finished it (transmit on an egress port, or dropped under a reason it counted). After the batch the
/// worker sends them like the batch's own, then calls <see cref="Clear"/>.
/// </summary>
/// <remarks>
/// <para>
/// Buffers come from the source of the original's ingress port (<see cref="UseSources"/>): a DPDK port's mempool, so a
/// replica is an mbuf DPDK ports send without another copy, or the worker's own pool for the ports that copy anyway
/// (AF_PACKET, libpcap, capture files, the injection port). A replica's <see cref="PacketDescriptor.IngressPort"/> is
/// the port that frees its buffer, which is not always the original's.
/// </para>
/// <para>
/// Accounting: every packet a stage asks for counts as emitted, whether or not a buffer was found, so
/// <b>received + emitted = transmitted + punted + dropped</b>. A copy that cannot be made is dropped under
/// <see cref="DropReason.ReplicaNoBuffer"/> (source exhausted), <see cref="DropReason.ReplicaVectorFull"/> (this batch
/// emitted <see cref="Capacity"/> already) or <see cref="DropReason.ReplicaTooLarge"/>; the original goes on.
/// </para>
/// <para>
/// Contract for a stage: every successful <see cref="TryClone"/> / <see cref="TryAllocate"/> is followed by one
/// <see cref="Emit"/> before the stage returns (a packet the stage then decides to drop is emitted dropped, so its
/// buffer goes back). Nothing here allocates on the GC heap.
/// </para>
/// </remarks>
public sealed class PacketEmitter
{
    /// <summary>Packets one batch may emit: four copies of a full batch.</summary>
    public const int DefaultCapacity = 4 * PacketBatch.MaxCapacity;

    private readonly PacketDescriptor[] emitted;
    private readonly WorkerCounters counters;
    private IPacketBufferSource?[] sourceByPort = [];
    private IPacketBufferSource? otherSource;
    private int count;
    private int taken;

    public PacketEmitter(WorkerCounters counters, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        this.counters = counters;
        emitted = new PacketDescriptor[capacity];
    }

    /// <summary>Packets one batch may emit.</summary>
    public int Capacity => emitted.Length;

    /// <summary>Packets emitted since the last <see cref="Clear"/>.</summary>
    public int Count => count;

    /// <summary>The packets emitted since the last <see cref="Clear"/>, settled: transmit or dropped.</summary>
    public Span<PacketDescriptor> Packets => emitted.AsSpan(0, count);

    /// <summary>True when some port has a buffer source: without one every copy is dropped as <see cref="DropReason.ReplicaNoBuffer"/>.</summary>
    public bool HasSources => otherSource is not null || Array.Exists(sourceByPort, s => s is not null);

    /// <summary>
    /// Where buffers come from: <paramref name="byIngressPort"/>[p] for a packet received on port p when it is set,
    /// otherwise <paramref name="otherwise"/>. Set once, before the worker runs.
    /// </summary>
    public void UseSources(IPacketBufferSource?[] byIngressPort, IPacketBufferSource? otherwise)
    {
        sourceByPort = byIngressPort;
        otherSource = otherwise;
    }

    /// <summary>
    /// A copy of <paramref name="original"/>: the same frame bytes and metadata (kind, offsets, instance, flags,
    /// disposition) in a buffer of its own. The frame keeps its offset in the buffer when it fits, so header offsets
    /// stay as they were; otherwise it starts at the new buffer's headroom and the offsets move with it. False, and
    /// the copy counted as dropped under its reason, when no copy can be made.
    /// </summary>
    public unsafe bool TryClone(in PacketDescriptor original, out PacketDescriptor clone)
    {
        if (!TryTake(original.IngressPort, out var fresh))
        {
            clone = default;
            return false;
        }

        int length = original.Length;
        int offset = original.DataOffset + length <= fresh.Capacity ? original.DataOffset : fresh.DataOffset;
        if (offset + length > fresh.Capacity)
        {
            Refuse(ref fresh, DropReason.ReplicaTooLarge);
            clone = default;
            return false;
        }

        original.Data.CopyTo(new Span<byte>(fresh.Buffer + offset, length));
        clone = original;
        clone.Rebase(fresh.Buffer, fresh.Capacity, offset, fresh.Owner);
        clone.IngressPort = fresh.IngressPort;
        return true;
    }

    /// <summary>
    /// A fresh empty buffer from the source <paramref name="like"/>'s ingress port uses, with its format and instance
    /// ID; the frame starts at the buffer's headroom and is 0 bytes long (grow it with
    /// <see cref="PacketDescriptor.TryAppend"/> / <see cref="PacketDescriptor.TryPrepend"/>). False, and the packet
    /// counted as dropped under its reason, when there is none.
    /// </summary>
    public bool TryAllocate(in PacketDescriptor like, out PacketDescriptor packet)
    {
        if (!TryTake(like.IngressPort, out packet))
        {
            return false;
        }

        packet.Format = like.Format;
        packet.InstanceId = like.InstanceId;
        return true;
    }

    /// <summary>
    /// Hands over a packet from <see cref="TryClone"/> or <see cref="TryAllocate"/>: set to transmit on its egress port,
    /// or dropped under a reason the stage counted (its buffer then goes back).
    /// </summary>
    public void Emit(in PacketDescriptor packet)
    {
        if (taken == 0)
        {
            throw new InvalidOperationException("Emit without a buffer from TryClone or TryAllocate.");
        }

        taken--;
        emitted[count++] = packet;
        counters.Emitted++;
    }

    /// <summary>Forgets the emitted packets once the caller has sent or freed every one of them.</summary>
    public void Clear() => count = 0;

    /// <summary>Settles what the batch emitted: transmit counts as transmitted, anything else not dropped is <see cref="DropReason.NoHandler"/>.</summary>
    internal void Settle()
    {
        if (taken != 0)
        {
            throw new InvalidOperationException($"{taken} buffer(s) taken from the emitter were not emitted: a stage leaks them.");
        }

        foreach (ref var packet in Packets)
        {
            if (packet.IsDropped)
            {
                continue; // counted by the stage that dropped it
            }

            if (packet.Disposition == PacketDisposition.Transmit)
            {
                counters.Transmitted++;
            }
            else
            {
                packet.DropReason = (byte)DropReason.NoHandler;
                counters.Drop(DropReason.NoHandler);
            }
        }
    }

    /// <summary>Throws when the caller left emitted packets of the last batch unsent: their buffers would be lost.</summary>
    internal void EnsureCleared()
    {
        if (count != 0)
        {
            throw new InvalidOperationException("The packets emitted by the last batch were not sent or freed (PacketEmitter.Clear).");
        }
    }

    private bool TryTake(ushort ingressPort, out PacketDescriptor fresh)
    {
        if (count + taken >= emitted.Length)
        {
            Failed(DropReason.ReplicaVectorFull);
            fresh = default;
            return false;
        }

        var source = ingressPort < sourceByPort.Length ? sourceByPort[ingressPort] ?? otherSource : otherSource;
        if (source is null || !source.TryAllocate(out fresh))
        {
            Failed(DropReason.ReplicaNoBuffer);
            fresh = default;
            return false;
        }

        taken++;
        return true;
    }

    /// <summary>A buffer taken but unusable: emitted dropped, so the worker gives it back.</summary>
    private void Refuse(ref PacketDescriptor fresh, DropReason reason)
    {
        fresh.DropReason = (byte)reason;
        counters.Drop(reason);
        Emit(fresh);
    }

    /// <summary>A packet asked for that never got a buffer: emitted and dropped in the same breath, so the sum holds.</summary>
    private void Failed(DropReason reason)
    {
        counters.Emitted++;
        counters.Drop(reason);
    }
}
