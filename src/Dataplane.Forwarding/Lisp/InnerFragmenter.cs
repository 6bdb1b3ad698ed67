using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;
using Dataplane.Wire.Checksums;

namespace Dataplane.Forwarding.Lisp;

/// <summary>
/// RFC 9300 section 7.1, the stateless answer to a packet too big for the tunnel: an IPv4 packet with DF clear is cut
/// into two fragments of about half its payload each (RFC 791 section 3.2), and each is encapsulated on its own, so
/// the ETR decapsulates two ordinary LISP packets and the destination host reassembles. The first fragment stays in
/// the packet's buffer (its header rewritten: total length, MF, checksum); the second is written into a fresh one.
/// </summary>
public static class InnerFragmenter
{
    /// <summary>
    /// Whether the IPv4 packet at <paramref name="inner"/> can be cut into two fragments that each fit
    /// <paramref name="innerMtu"/>; <paramref name="firstPayload"/> is the first one's payload (a multiple of 8 bytes,
    /// half the payload rounded up) and <paramref name="secondHeaderLength"/> the second one's header (the options
    /// RFC 791 marks "copied" only).
    /// </summary>
    public static bool CanSplit(ReadOnlySpan<byte> inner, int innerMtu, out int firstPayload, out int secondHeaderLength)
    {
        int headerLength = (inner[0] & 0x0F) * 4;
        int payload = BinaryPrimitives.ReadUInt16BigEndian(inner[2..]) - headerLength;
        firstPayload = ((payload + 1) / 2 + 7) & ~7;
        secondHeaderLength = 20 + CopiedOptions(inner[20..headerLength], default);
        return payload > firstPayload && headerLength + firstPayload <= innerMtu && secondHeaderLength + payload - firstPayload <= innerMtu;
    }

    /// <summary>
    /// Cuts the IPv4 packet at <paramref name="packet"/>'s L3 offset, which <see cref="CanSplit"/> accepted: its second
    /// half goes into <paramref name="second"/> (an empty frame, as <c>PacketEmitter.TryAllocate</c> gives it), which
    /// then holds just that IPv4 fragment, described as native IPv4 like <paramref name="packet"/>; the packet keeps the
    /// first half (the bytes past it are left for the encapsulator to cut, as Ethernet padding is).
    /// </summary>
    public static bool TrySplit(ref PacketDescriptor packet, ref PacketDescriptor second, int firstPayload, int secondHeaderLength)
    {
        var inner = packet.Data[(packet.L3Offset - packet.DataOffset)..];
        int headerLength = (inner[0] & 0x0F) * 4;
        int payload = BinaryPrimitives.ReadUInt16BigEndian(inner[2..]) - headerLength;
        int secondPayload = payload - firstPayload;
        if (!second.TryAppend(secondHeaderLength + secondPayload, out var fragment))
        {
            return false;
        }

        ushort flagsAndOffset = BinaryPrimitives.ReadUInt16BigEndian(inner[6..]);
        int offsetUnits = flagsAndOffset & 0x1FFF;
        bool more = (flagsAndOffset & 0x2000) != 0;

        // The second fragment: the fixed header, the copied options, the second half; MF as the original had it.
        inner[..20].CopyTo(fragment);
        CopiedOptions(inner[20..headerLength], fragment[20..secondHeaderLength]);
        inner.Slice(headerLength + firstPayload, secondPayload).CopyTo(fragment[secondHeaderLength..]);
        fragment[0] = (byte)(0x40 | (secondHeaderLength / 4));
        WriteLengthAndOffset(fragment[..secondHeaderLength], secondHeaderLength + secondPayload, (more ? 0x2000 : 0) | (offsetUnits + firstPayload / 8));

        // The first fragment: this packet, with more to follow.
        WriteLengthAndOffset(inner[..headerLength], headerLength + firstPayload, 0x2000 | offsetUnits);

        second.Kind = packet.Kind;
        second.Flags = packet.Flags;
        second.L2Offset = (ushort)second.DataOffset;
        second.L3Offset = (ushort)second.DataOffset;
        second.L4Offset = 0;
        return true;
    }

    private static void WriteLengthAndOffset(Span<byte> header, int totalLength, int flagsAndOffset)
    {
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)totalLength);
        BinaryPrimitives.WriteUInt16BigEndian(header[6..], (ushort)flagsAndOffset);
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], InternetChecksum.Compute(header));
    }

    /// <summary>
    /// The options whose copied flag is set (RFC 791 section 3.1), written into <paramref name="into"/> when it is not
    /// empty and padded with End of Option List to a 4-byte boundary; returns their padded length.
    /// </summary>
    private static int CopiedOptions(ReadOnlySpan<byte> options, Span<byte> into)
    {
        int length = 0;
        for (int at = 0; at < options.Length;)
        {
            byte type = options[at];
            if (type == 0)
            {
                break; // End of Option List
            }

            int size = type == 1 || at + 1 >= options.Length ? 1 : Math.Max(2, (int)options[at + 1]);
            size = Math.Min(size, options.Length - at);
            if ((type & 0x80) != 0)
            {
                if (!into.IsEmpty)
                {
                    options.Slice(at, size).CopyTo(into[length..]);
                }

                length += size;
            }

            at += size;
        }

        int padded = (length + 3) & ~3;
        if (!into.IsEmpty)
        {
            into[length..padded].Clear();
        }

        return padded;
    }
}
