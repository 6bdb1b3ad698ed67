using System.Buffers.Binary;

namespace Dataplane.Wire.Headers;

/// <summary>
/// Skips the Ethernet header and up to two VLAN tags (single 802.1Q, or QinQ as 0x88A8/0x8100, 0x8100/0x8100 or
/// the legacy 0x9100) to find the L3 offset and EtherType. Three or more tags are refused rather than walked:
/// no deployment we serve stacks deeper, and a bounded walk keeps classification constant-time.
/// </summary>
public static class EthernetTagWalker
{
    public const int MaxTags = 2;

    /// <summary>
    /// False when the frame is too short for the Ethernet header or for a tag its TPID announces, or when a
    /// third tag follows the second. On success <see cref="EthernetLayout.L3Offset"/> is at most <c>frame.Length</c>.
    /// </summary>
    public static bool TryWalk(ReadOnlySpan<byte> frame, out EthernetLayout layout)
    {
        layout = default;
        if (frame.Length < EthernetHeader.Length)
        {
            return false;
        }

        int offset = EthernetHeader.Length;
        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        ushort outer = 0;
        ushort inner = 0;
        int tags = 0;
        while (EtherType.IsVlanTag(etherType))
        {
            if (tags == MaxTags || frame.Length - offset < VlanTag.Length)
            {
                return false;
            }

            ushort vlanId = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]) & 0x0FFF);
            if (tags++ == 0)
            {
                outer = vlanId;
            }
            else
            {
                inner = vlanId;
            }

            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
            offset += VlanTag.Length;
        }

        layout = new EthernetLayout(offset, etherType, tags, outer, inner);
        return true;
    }
}
