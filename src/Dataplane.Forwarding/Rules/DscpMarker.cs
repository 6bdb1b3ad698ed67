using Dataplane.Wire.Checksums;

namespace Dataplane.Forwarding.Rules;

/// <summary>
/// Rewrites the DSCP of an IP header in place and keeps the two ECN bits (RFC 2474, RFC 3168). IPv4's header checksum
/// is updated incrementally (RFC 1624) over the 16-bit word that holds the TOS byte, so the header's one's-complement
/// sum is unchanged and a checksum over it as payload (an outer UDP checksum) stays right. IPv6 has no header
/// checksum, but its traffic class is payload to an outer UDP checksum: <see cref="Mark"/> reports the change of the
/// first two bytes so the caller can update that.
/// </summary>
public static class DscpMarker
{
    /// <summary>Marks <paramref name="ip"/> (whole header present); returns its first 16-bit word before and after.</summary>
    public static (ushort Before, ushort After) Mark(Span<byte> ip, byte dscp)
    {
        ushort before = (ushort)((ip[0] << 8) | ip[1]);
        if (ip[0] >> 4 == 4)
        {
            byte tos = (byte)((dscp << 2) | (ip[1] & 0x03));
            ushort after = (ushort)((ip[0] << 8) | tos);
            if (after != before)
            {
                ip[1] = tos;
                ushort checksum = (ushort)((ip[10] << 8) | ip[11]);
                checksum = InternetChecksum.Update(checksum, before, after);
                ip[10] = (byte)(checksum >> 8);
                ip[11] = (byte)checksum;
            }

            return (before, before); // the header's sum is unchanged
        }

        // Version (4 bits), traffic class (8: DSCP 6, ECN 2), flow label: the DSCP straddles the first two bytes.
        int trafficClass = ((ip[0] & 0x0F) << 4) | (ip[1] >> 4);
        trafficClass = (dscp << 2) | (trafficClass & 0x03);
        ip[0] = (byte)((ip[0] & 0xF0) | (trafficClass >> 4));
        ip[1] = (byte)((ip[1] & 0x0F) | ((trafficClass & 0x0F) << 4));
        return (before, (ushort)((ip[0] << 8) | ip[1]));
    }

    /// <summary>
    /// Brings a UDP checksum over a packet that holds the marked header up to date: <paramref name="offset"/> is where
    /// the header starts from the UDP header (its parity says which half of a checksum word each byte is). 0 (no
    /// checksum) stays 0; a computed 0 is sent as 0xFFFF (RFC 768).
    /// </summary>
    public static ushort UpdateUdpChecksum(ushort checksum, int offset, ushort before, ushort after)
    {
        if (checksum == 0 || before == after)
        {
            return checksum;
        }

        if ((offset & 1) != 0)
        {
            before = (ushort)((before >> 8) | (before << 8)); // an odd offset swaps the bytes' places in the sum (RFC 1071)
            after = (ushort)((after >> 8) | (after << 8));
        }

        ushort updated = InternetChecksum.Update(checksum, before, after);
        return updated == 0 ? (ushort)0xFFFF : updated;
    }
}
