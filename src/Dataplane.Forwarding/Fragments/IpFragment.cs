using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Wire.Headers;

namespace Dataplane.Forwarding.Fragments;

/// <summary>
/// One fragment as the reassembly table needs it: its datagram's key, where its payload lies in the buffer and where
/// that payload goes in the datagram, and the header a datagram gets from its first fragment (IPv4: the whole header,
/// options included; IPv6: the unfragmentable part, the headers in front of the Fragment header).
/// </summary>
public readonly struct IpFragment
{
    public required FragmentKey Key { get; init; }

    /// <summary>Where this fragment's data goes in the datagram's payload, in bytes.</summary>
    public required int Offset { get; init; }

    /// <summary>Bytes of payload this fragment carries.</summary>
    public required int Length { get; init; }

    /// <summary>More fragments follow (the MF bit, IPv6's M flag).</summary>
    public required bool More { get; init; }

    /// <summary>Where the payload starts, from the buffer start.</summary>
    public required int PayloadStart { get; init; }

    /// <summary>IPv4 header length, or the IPv6 unfragmentable part's length: what the datagram keeps in front of its payload.</summary>
    public required int HeaderLength { get; init; }

    /// <summary>IPv6: where, from the IPv6 header, the Next Header field in front of the Fragment header is (6 with no extension header before it).</summary>
    public int NextHeaderAt { get; init; }

    /// <summary>IPv6: the Fragment header's Next Header, which the reassembled datagram puts at <see cref="NextHeaderAt"/>.</summary>
    public byte NextHeader { get; init; }

    /// <summary>
    /// Reads the fragment the classifier found at <paramref name="packet"/>'s L3 offset (it checked the IP header's
    /// lengths and the IPv6 extension chain). Returns <see cref="DropReason.None"/>, or
    /// <see cref="DropReason.FragmentMalformed"/> for a fragment no datagram can be made of: no payload, a payload not
    /// a multiple of 8 bytes while more fragments follow (RFC 791 section 3.2, RFC 8200 section 4.5), or an IPv6
    /// Fragment header behind a header that may not precede it or further than <paramref name="maxHeaderLength"/>.
    /// </summary>
    public static DropReason TryRead(in PacketDescriptor packet, int maxHeaderLength, out IpFragment fragment)
    {
        fragment = default;
        var l3 = packet.BufferSpan[packet.L3Offset..(packet.DataOffset + packet.Length)];
        bool ok = (l3[0] >> 4) == 4 ? TryReadIpv4(l3, packet.L3Offset, packet.InstanceId, out fragment) : TryReadIpv6(l3, packet.L3Offset, packet.InstanceId, out fragment);
        if (!ok || fragment.Length == 0 || (fragment.More && (fragment.Length & 7) != 0) || fragment.HeaderLength > maxHeaderLength)
        {
            return DropReason.FragmentMalformed;
        }

        return DropReason.None;
    }

    private static bool TryReadIpv4(Span<byte> l3, int l3Offset, uint instance, out IpFragment fragment)
    {
        fragment = default;
        if (!Ipv4Header.TryCreate(l3, out var ip))
        {
            return false;
        }

        fragment = new IpFragment
        {
            Key = new FragmentKey(ip.Source.Value, ip.Destination.Value, ip.Identification, ip.Protocol, false, instance),
            Offset = ip.FragmentOffset * 8,
            Length = ip.TotalLength - ip.HeaderLength,
            More = ip.MoreFragments,
            PayloadStart = l3Offset + ip.HeaderLength,
            HeaderLength = ip.HeaderLength,
        };
        return true;
    }

    private static bool TryReadIpv6(Span<byte> l3, int l3Offset, uint instance, out IpFragment fragment)
    {
        fragment = default;
        if (l3.Length < Ipv6Header.Length)
        {
            return false;
        }

        int end = Ipv6Header.Length + BinaryPrimitives.ReadUInt16BigEndian(l3[4..]);
        if (end > l3.Length)
        {
            return false;
        }

        // Only hop-by-hop, routing and destination options may come before the Fragment header (RFC 8200 section 4.5).
        byte next = l3[6];
        int at = Ipv6Header.Length;
        int nextHeaderAt = 6;
        for (int count = 0; next != IpProtocol.Fragment; count++)
        {
            if (count == Ipv6ExtensionWalker.MaxExtensionHeaders || end - at < 8
                || next is not (IpProtocol.HopByHopOptions or IpProtocol.Routing or IpProtocol.DestinationOptions))
            {
                return false;
            }

            nextHeaderAt = at;
            next = l3[at];
            at += (l3[at + 1] + 1) * 8;
        }

        if (end - at < 8)
        {
            return false;
        }

        ushort offsetAndFlags = BinaryPrimitives.ReadUInt16BigEndian(l3[(at + 2)..]);
        fragment = new IpFragment
        {
            Key = new FragmentKey(
                BinaryPrimitives.ReadUInt128BigEndian(l3[8..]), BinaryPrimitives.ReadUInt128BigEndian(l3[24..]),
                BinaryPrimitives.ReadUInt32BigEndian(l3[(at + 4)..]), 0, true, instance),
            Offset = offsetAndFlags & 0xFFF8,
            Length = end - at - 8,
            More = (offsetAndFlags & 1) != 0,
            PayloadStart = l3Offset + at + 8,
            HeaderLength = at,
            NextHeaderAt = nextHeaderAt,
            NextHeader = l3[at],
        };
        return true;
    }
}
