using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;

namespace Dataplane.Forwarding.Egress;

/// <summary>
/// The DSCP of a frame about to leave, read from the frame itself (after every stage rewrote it, so an encapsulated
/// packet is classed by its outer header, which carries the inner DSCP on every tunnel we build): Ethernet, up to two
/// VLAN tags, then the IPv4 TOS or IPv6 Traffic Class. Reads only within the frame.
/// </summary>
public static class EgressDscp
{
    /// <summary>0..63, or -1 for a frame that is not IPv4 or IPv6 or too short to say.</summary>
    public static int Read(ReadOnlySpan<byte> frame, FrameFormat format)
    {
        int offset = 0;
        if (format == FrameFormat.Ethernet)
        {
            if (frame.Length < 14)
            {
                return -1;
            }

            ushort type = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
            offset = 14;
            for (int tags = 0; tags < 2 && type is 0x8100 or 0x88A8; tags++)
            {
                if (frame.Length < offset + 4)
                {
                    return -1;
                }

                type = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
                offset += 4;
            }

            if (type is not (0x0800 or 0x86DD))
            {
                return -1;
            }
        }

        if (frame.Length < offset + 2)
        {
            return -1;
        }

        int version = frame[offset] >> 4;
        return version switch
        {
            4 => frame[offset + 1] >> 2,
            6 => ((frame[offset] & 0x0F) << 2) | (frame[offset + 1] >> 6),
            _ => -1,
        };
    }
}
