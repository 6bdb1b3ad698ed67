using System.Buffers.Binary;

namespace Dataplane.Wire.Headers;

/// <summary>
/// Walks the IPv6 extension header chain (RFC 8200 section 4; AH from RFC 4302) to the upper-layer header.
/// The walk is bounded: at most <see cref="MaxExtensionHeaders"/> headers, each of which must lie wholly inside
/// the payload length, so a hostile chain (a loop of Destination Options, a header length running past the end)
/// is refused after a fixed amount of work and never reads past the buffer.
/// </summary>
public static class Ipv6ExtensionWalker
{
    /// <summary>RFC 8200 allows each header at most once (Destination Options twice), so 8 is already generous.</summary>
    public const int MaxExtensionHeaders = 8;

    private const int FragmentHeaderLength = 8;

    /// <summary>
    /// <paramref name="packet"/> starts at the fixed IPv6 header. False when the fixed header is invalid, an
    /// extension header is truncated or runs past the payload length, hop-by-hop is not first, a second fragment
    /// header appears, or the chain is longer than <see cref="MaxExtensionHeaders"/>.
    /// </summary>
    public static bool TryWalk(ReadOnlySpan<byte> packet, out Ipv6ExtensionChain chain)
    {
        chain = default;
        if (packet.Length < Ipv6Header.Length || (packet[0] >> 4) != 6)
        {
            return false;
        }

        int end = Ipv6Header.Length + BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        if (end > packet.Length)
        {
            return false;
        }

        byte nextHeader = packet[6];
        int offset = Ipv6Header.Length;
        int count = 0;
        bool hasFragment = false;
        ushort fragmentOffset = 0;
        bool moreFragments = false;
        uint identification = 0;

        while (IsExtensionHeader(nextHeader))
        {
            if (count == MaxExtensionHeaders || end - offset < 8)
            {
                return false;
            }

            int length;
            switch (nextHeader)
            {
                case IpProtocol.HopByHopOptions when count != 0:
                    return false;
                case IpProtocol.Fragment:
                    if (hasFragment)
                    {
                        return false;
                    }

                    hasFragment = true;
                    ushort offsetAndFlags = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
                    fragmentOffset = (ushort)(offsetAndFlags >> 3);
                    moreFragments = (offsetAndFlags & 0x0001) != 0;
                    identification = BinaryPrimitives.ReadUInt32BigEndian(packet[(offset + 4)..]);
                    length = FragmentHeaderLength;
                    break;
                case IpProtocol.AuthenticationHeader:
                    // AH counts its length in 4-byte words minus 2 (RFC 4302 section 2.2), unlike the others.
                    length = (packet[offset + 1] + 2) * 4;
                    break;
                default:
                    length = (packet[offset + 1] + 1) * 8;
                    break;
            }

            if (length > end - offset)
            {
                return false;
            }

            nextHeader = packet[offset];
            offset += length;
            count++;

            // Past a non-first fragment header the bytes are the middle of another packet, not more headers.
            if (hasFragment && fragmentOffset != 0)
            {
                break;
            }
        }

        chain = new Ipv6ExtensionChain
        {
            UpperLayerProtocol = nextHeader,
            UpperLayerOffset = offset,
            ExtensionCount = count,
            HasFragmentHeader = hasFragment,
            FragmentOffset = fragmentOffset,
            MoreFragments = moreFragments,
            FragmentIdentification = identification,
        };
        return true;
    }

    /// <summary>The headers this walker knows how to skip; everything else (ESP included) ends the walk.</summary>
    public static bool IsExtensionHeader(byte nextHeader) => nextHeader is IpProtocol.HopByHopOptions or IpProtocol.Routing
        or IpProtocol.Fragment or IpProtocol.DestinationOptions or IpProtocol.AuthenticationHeader;
}
