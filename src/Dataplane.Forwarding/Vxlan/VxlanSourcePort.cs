using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using Dataplane.Forwarding.Hashing;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;

namespace Dataplane.Forwarding.Vxlan;

/// <summary>
/// The outer UDP source port: RFC 7348 section 5 asks for a hash of the inner frame's headers, in the dynamic
/// range 49152..65535, so the underlay's ECMP spreads the flows of one VTEP pair. The hash is:
/// <list type="bullet">
/// <item>inner IPv4 (EtherType 0x0800, untagged) or IPv6 (0x86DD, first next header): the data plane's 5-tuple
/// <see cref="FlowHash"/>, with the TCP/UDP ports when the next header is TCP or UDP (and, for IPv4, the packet is
/// not a later fragment), else ports 0;</item>
/// <item>any other frame: CRC-32C seeded with 0x27D4EB2F over (destination MAC &lt;&lt; 16 | EtherType) then the source
/// MAC, each as one 64-bit word, then the murmur3 finaliser.</item>
/// </list>
/// and the port is <see cref="FlowHash.SourcePort"/>: 49152 | (hash &gt;&gt; 18). pcaps/golden/generate_vxlan.py
/// implements the same from this description.
/// </summary>
public static class VxlanSourcePort
{
    private const uint MacSeed = 0x27D4_EB2F;

    /// <summary>Port for an inner Ethernet frame.</summary>
    public static ushort ForFrame(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < EthernetHeader.Length)
        {
            return FlowHash.SourcePortBase;
        }

        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        if (etherType is EtherType.Ipv4 or EtherType.Ipv6 && TryHashIp(frame[EthernetHeader.Length..], etherType == EtherType.Ipv4, out uint hash))
        {
            return FlowHash.SourcePort(hash);
        }

        ulong destination = MacAddress.Read(frame).Value;
        ulong source = MacAddress.Read(frame[6..]).Value;
        uint crc = BitOperations.Crc32C(MacSeed, (destination << 16) | etherType);
        crc = BitOperations.Crc32C(crc, source);
        return FlowHash.SourcePort(FlowHash.Mix(crc));
    }

    /// <summary>Port for an inner IP packet (L3 VNIs); the MAC hash does not apply, so a packet too short hashes to 0.</summary>
    public static ushort ForIp(ReadOnlySpan<byte> ip, bool isIpv4) =>
        FlowHash.SourcePort(TryHashIp(ip, isIpv4, out uint hash) ? hash : 0);

    private static bool TryHashIp(ReadOnlySpan<byte> ip, bool isIpv4, out uint hash)
    {
        if (isIpv4)
        {
            if (ip.Length < 20 || ip[0] >> 4 != 4)
            {
                hash = 0;
                return false;
            }

            int headerLength = (ip[0] & 0x0F) * 4;
            byte protocol = ip[9];
            bool firstFragment = (BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x1FFF) == 0;
            ReadPorts(ip, headerLength, protocol, firstFragment, out ushort sourcePort, out ushort destinationPort);
            hash = FlowHash.Hash(
                new Ipv4Address(BinaryPrimitives.ReadUInt32BigEndian(ip[12..])),
                new Ipv4Address(BinaryPrimitives.ReadUInt32BigEndian(ip[16..])),
                protocol, sourcePort, destinationPort);
            return true;
        }

        if (ip.Length < Ipv6Header.Length || ip[0] >> 4 != 6)
        {
            hash = 0;
            return false;
        }

        byte nextHeader = ip[6];
        ReadPorts(ip, Ipv6Header.Length, nextHeader, true, out ushort sport, out ushort dport);
        hash = FlowHash.Hash(
            new Ipv6Address(BinaryPrimitives.ReadUInt128BigEndian(ip[8..])),
            new Ipv6Address(BinaryPrimitives.ReadUInt128BigEndian(ip[24..])),
            nextHeader, sport, dport);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ReadPorts(ReadOnlySpan<byte> ip, int l4, byte protocol, bool firstFragment, out ushort sourcePort, out ushort destinationPort)
    {
        if (firstFragment && protocol is IpProtocol.Tcp or IpProtocol.Udp && ip.Length >= l4 + 4)
        {
            sourcePort = BinaryPrimitives.ReadUInt16BigEndian(ip[l4..]);
            destinationPort = BinaryPrimitives.ReadUInt16BigEndian(ip[(l4 + 2)..]);
            return;
        }

        sourcePort = 0;
        destinationPort = 0;
    }
}
