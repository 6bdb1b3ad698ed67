using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Wire.Checksums;

namespace Dataplane.Forwarding.Fragments;

/// <summary>
/// One worker's IPv4 / IPv6 reassembly (RFC 791 section 3.2, RFC 8200 section 4.5, RFC 5722), bounded in every
/// direction and allocation-free after construction. Each unfinished datagram has a slot: its first fragment's
/// header, its payload at the fragments' offsets in a preallocated arena, and the byte ranges it holds (at most
/// <see cref="ReassemblyConfig.MaxFragments"/>). Every fragment offered is copied into its slot, so no port buffer is
/// held across batches (an AF_PACKET ring frame or an mbuf goes back at once); the completed datagram is written
/// into the buffer of the fragment that completed it.
/// </summary>
/// <remarks>
/// A fragment that overlaps one already held abandons the whole datagram, IPv4 included (RFC 5722; Linux does the
/// same for IPv4 since 4.19); an exact copy of a held fragment is dropped alone (a duplicated packet, not an attack
/// on the reassembly). A datagram waits at most the timeout from its first fragment; expired slots are reclaimed when
/// a fragment needs one and by <see cref="Expire"/>, which the stage calls a few times per timeout.
/// </remarks>
public sealed class ReassemblyTable
{
    /// <summary>Room for a datagram's header in its slot: an IPv4 header with options (60 bytes) or an IPv6 unfragmentable part.</summary>
    public const int HeaderRoom = 256;

    private readonly byte[] arena;
    private readonly Slot[] slots;
    private readonly int[] rangeStarts;
    private readonly int[] rangeEnds;
    private readonly int[] free;
    private readonly int slotBytes;
    private readonly int maxFragments;
    private readonly int maxDatagramBytes;
    private readonly int maxBytesInFlight;
    private int freeCount;
    private long nextExpiry = long.MinValue;

    public ReassemblyTable(ReassemblyConfig limits, long timeoutTicks)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(timeoutTicks);
        TimeoutTicks = timeoutTicks;
        maxFragments = limits.MaxFragments;
        maxDatagramBytes = limits.MaxDatagramBytes;
        maxBytesInFlight = limits.MaxBytesInFlight;
        slotBytes = HeaderRoom + limits.MaxDatagramBytes;
        arena = GC.AllocateUninitializedArray<byte>(limits.MaxDatagrams * slotBytes);
        slots = new Slot[limits.MaxDatagrams];
        rangeStarts = new int[limits.MaxDatagrams * maxFragments];
        rangeEnds = new int[limits.MaxDatagrams * maxFragments];
        free = new int[limits.MaxDatagrams];
        for (int i = 0; i < free.Length; i++)
        {
            free[i] = free.Length - 1 - i;
        }

        freeCount = free.Length;
    }

    /// <summary>How long a datagram may wait for its fragments, in clock ticks.</summary>
    public long TimeoutTicks { get; }

    /// <summary>Datagrams waiting for fragments.</summary>
    public int Pending => slots.Length - freeCount;

    /// <summary>Fragment payload bytes held.</summary>
    public int BytesInFlight { get; private set; }

    /// <summary>
    /// Takes <paramref name="fragment"/> of <paramref name="packet"/> into its datagram. Returns
    /// <see cref="DropReason.None"/> when it completed the datagram, which is then the packet (IP header at its L3
    /// offset, the L2 header left as it was, classification to be done again);
    /// <see cref="DropReason.FragmentHeldForReassembly"/> when its bytes are held and the buffer can go; any other
    /// reason is the fragment's drop (and its datagram's end when the reason says so, counted as an event).
    /// </summary>
    public DropReason Offer(ref PacketDescriptor packet, in IpFragment fragment, long now, WorkerCounters counters)
    {
        int index = Find(fragment.Key, now, counters);
        if (index < 0)
        {
            if (freeCount == 0)
            {
                Expire(now, counters);
                if (freeCount == 0)
                {
                    return DropReason.ReassemblyTableFull;
                }
            }

            index = free[--freeCount];
            slots[index] = new Slot { InUse = true, Key = fragment.Key, ExpiresAt = now + TimeoutTicks, TotalPayload = -1 };
        }

        ref var slot = ref slots[index];
        int start = fragment.Offset;
        int end = start + fragment.Length;
        var reason = Check(ref slot, index, in fragment, start, end);
        if (reason == DropReason.FragmentDuplicate)
        {
            return reason;
        }

        if (reason != DropReason.None)
        {
            Abandon(index, counters, ForwardingEvent.ReassemblyAbandoned);
            return reason;
        }

        // Hold the fragment: its payload at its offset, its header if it is the first.
        int slotBase = index * slotBytes;
        var buffer = packet.BufferSpan;
        buffer.Slice(fragment.PayloadStart, fragment.Length).CopyTo(arena.AsSpan(slotBase + HeaderRoom + start));
        if (start == 0)
        {
            buffer.Slice(packet.L3Offset, fragment.HeaderLength).CopyTo(arena.AsSpan(slotBase));
            slot.HeaderLength = fragment.HeaderLength;
            slot.NextHeaderAt = fragment.NextHeaderAt;
            slot.NextHeader = fragment.NextHeader;
        }

        if (!fragment.More)
        {
            slot.TotalPayload = end;
        }

        rangeStarts[index * maxFragments + slot.Fragments] = start;
        rangeEnds[index * maxFragments + slot.Fragments] = end;
        slot.Fragments++;
        slot.MaxEnd = Math.Max(slot.MaxEnd, end);
        slot.HeldBytes += fragment.Length;
        BytesInFlight += fragment.Length;

        // No two ranges overlap and none passes the end, so holding as many bytes as the payload has means holding all of it.
        if (slot.HeaderLength == 0 || slot.HeldBytes != slot.TotalPayload)
        {
            return DropReason.FragmentHeldForReassembly;
        }

        int size = slot.HeaderLength + slot.TotalPayload;
        if (packet.L3Offset + size > packet.Capacity)
        {
            Abandon(index, counters, ForwardingEvent.ReassemblyAbandoned);
            return DropReason.ReassemblyOverBufferCapacity;
        }

        var datagram = buffer.Slice(packet.L3Offset, size);
        arena.AsSpan(slotBase, slot.HeaderLength).CopyTo(datagram);
        arena.AsSpan(slotBase + HeaderRoom, slot.TotalPayload).CopyTo(datagram[slot.HeaderLength..]);
        if (slot.Key.IsIpv6)
        {
            datagram[slot.NextHeaderAt] = slot.NextHeader;
            BinaryPrimitives.WriteUInt16BigEndian(datagram[4..], (ushort)(size - 40));
        }
        else
        {
            // Whole again: total length, no MF, offset 0, and the header checksum over what changed.
            BinaryPrimitives.WriteUInt16BigEndian(datagram[2..], (ushort)size);
            BinaryPrimitives.WriteUInt16BigEndian(datagram[6..], 0);
            BinaryPrimitives.WriteUInt16BigEndian(datagram[10..], 0);
            BinaryPrimitives.WriteUInt16BigEndian(datagram[10..], InternetChecksum.Compute(datagram[..slot.HeaderLength]));
        }

        packet.TrySetLength(packet.L3Offset - packet.DataOffset + size);
        Abandon(index, counters, ForwardingEvent.FragmentsReassembled);
        return DropReason.None;
    }

    /// <summary>Abandons every datagram whose time is up, counting each as ReassemblyTimedOut. Scans the table at most a few times per timeout.</summary>
    public void Expire(long now, WorkerCounters counters)
    {
        if (now < nextExpiry && freeCount != 0)
        {
            return;
        }

        nextExpiry = now + Math.Max(1, TimeoutTicks / 4);
        for (int i = 0; i < slots.Length; i++)
        {
            if (slots[i].InUse && now - slots[i].ExpiresAt >= 0)
            {
                Abandon(i, counters, ForwardingEvent.ReassemblyTimedOut);
            }
        }
    }

    private int Find(FragmentKey key, long now, WorkerCounters counters)
    {
        for (int i = 0; i < slots.Length; i++)
        {
            ref var slot = ref slots[i];
            if (slot.InUse && slot.Key == key)
            {
                if (now - slot.ExpiresAt >= 0)
                {
                    Abandon(i, counters, ForwardingEvent.ReassemblyTimedOut);
                    return -1;
                }

                return i;
            }
        }

        return -1;
    }

    private DropReason Check(ref Slot slot, int index, in IpFragment fragment, int start, int end)
    {
        // The datagram's size once whole: its header (20 bytes if the first fragment has not come yet) and its payload.
        int header = slot.HeaderLength != 0 ? slot.HeaderLength : start == 0 ? fragment.HeaderLength : slot.Key.IsIpv6 ? 40 : 20;
        int payload = Math.Max(end, slot.MaxEnd);
        if (header + payload > maxDatagramBytes || (slot.Key.IsIpv6 ? header - 40 + payload > ushort.MaxValue : header + payload > ushort.MaxValue))
        {
            return DropReason.ReassemblyTooLarge;
        }

        int ranges = index * maxFragments;
        for (int r = 0; r < slot.Fragments; r++)
        {
            int heldStart = rangeStarts[ranges + r];
            int heldEnd = rangeEnds[ranges + r];
            if (heldStart == start && heldEnd == end && (fragment.More || slot.TotalPayload == end))
            {
                return DropReason.FragmentDuplicate;
            }

            if (start < heldEnd && heldStart < end)
            {
                return DropReason.FragmentOverlap;
            }
        }

        // The last fragment fixes the payload's length: nothing may end past it, and there is only one last fragment.
        if ((slot.TotalPayload >= 0 && (end > slot.TotalPayload || !fragment.More)) || (!fragment.More && slot.MaxEnd > end))
        {
            return DropReason.FragmentOverlap;
        }

        if (slot.Fragments == maxFragments)
        {
            return DropReason.ReassemblyTooManyFragments;
        }

        if (BytesInFlight + fragment.Length > maxBytesInFlight)
        {
            return DropReason.ReassemblyBytesExhausted;
        }

        return DropReason.None;
    }

    private void Abandon(int index, WorkerCounters counters, ForwardingEvent outcome)
    {
        // A datagram refused at its first fragment held nothing: there was no datagram to count.
        if (slots[index].Fragments != 0)
        {
            counters.Count(outcome);
        }

        BytesInFlight -= slots[index].HeldBytes;
        slots[index] = default;
        free[freeCount++] = index;
    }

    private struct Slot
    {
        public bool InUse;
        public FragmentKey Key;
        public long ExpiresAt;
        public int HeaderLength;
        public int NextHeaderAt;
        public byte NextHeader;
        public int TotalPayload;
        public int MaxEnd;
        public int HeldBytes;
        public int Fragments;
    }
}
