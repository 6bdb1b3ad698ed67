using System.Buffers.Binary;
using Dataplane.Wire.Headers;

namespace Dataplane.Forwarding.Rules;

/// <summary>
/// Reads the classification fields of an IP packet (IPv4, or IPv6 after its extension headers) from its bytes. False
/// when the header is not whole or its length field lies: such a packet is matched by no rule and left to the stage's
/// own checks. Ports are read only from the first fragment of TCP and UDP; otherwise they are 0.
/// </summary>
public static class RuleKeyReader
{
    /// <param name="ip">The packet from its IP header on (may run past the packet: the length field bounds it).</param>
    /// <param name="length">The IP packet's length by its header (the bytes a rule counts).</param>
    public static bool TryRead(ReadOnlySpan<byte> ip, out RuleKey key, out int length)
    {
        key = default;
        length = 0;
        if (ip.IsEmpty)
        {
            return false;
        }

        int version = ip[0] >> 4;
        if (version == 4)
        {
            if (ip.Length < Ipv4Header.MinLength)
            {
                return false;
            }

            int headerLength = (ip[0] & 0x0F) * 4;
            length = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
            if (headerLength < Ipv4Header.MinLength || length < headerLength || length > ip.Length)
            {
                return false;
            }

            key.Source = BinaryPrimitives.ReadUInt32BigEndian(ip[12..]);
            key.Destination = BinaryPrimitives.ReadUInt32BigEndian(ip[16..]);
            key.Protocol = ip[9];
            key.Dscp = (byte)(ip[1] >> 2);
            bool laterFragment = (BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x1FFF) != 0;
            if (!laterFragment)
            {
                ReadPorts(ip[headerLength..length], ref key);
            }

            return true;
        }

        if (version != 6 || ip.Length < Ipv6Header.Length)
        {
            return false;
        }

        length = Ipv6Header.Length + BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        if (length > ip.Length || !Ipv6ExtensionWalker.TryWalk(ip[..length], out var chain))
        {
            return false;
        }

        key.Source = BinaryPrimitives.ReadUInt128BigEndian(ip[8..]);
        key.Destination = BinaryPrimitives.ReadUInt128BigEndian(ip[24..]);
        key.Protocol = chain.UpperLayerProtocol;
        key.Dscp = (byte)(((ip[0] & 0x0F) << 2) | (ip[1] >> 6));
        if (chain.IsUpperLayerHeaderPresent && chain.UpperLayerOffset <= length)
        {
            ReadPorts(ip[chain.UpperLayerOffset..length], ref key);
        }

        return true;
    }

    private static void ReadPorts(ReadOnlySpan<byte> transport, ref RuleKey key)
    {
        if (key.Protocol is IpProtocol.Tcp or IpProtocol.Udp && transport.Length >= 4)
        {
            key.SourcePort = BinaryPrimitives.ReadUInt16BigEndian(transport);
            key.DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(transport[2..]);
        }
    }
}
