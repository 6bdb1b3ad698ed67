namespace Dataplane.Wire.Checksums;

/// <summary>
/// The header checksum of an outer IPv4 header a tunnel writes (20 bytes, no options, identification 0), summed
/// from the field values instead of read back over the 20 bytes just written: the one's-complement sum (RFC 1071
/// section 1) does not depend on the order of the 16-bit words, so the result is bit for bit the one
/// <see cref="InternetChecksum.Compute"/> gives over the header with its checksum field zero, without the pass
/// over memory and the store-to-load forwarding it costs on every encapsulated packet.
/// </summary>
public static class Ipv4HeaderChecksum
{
    /// <summary>
    /// Checksum of version 4 / IHL 5 / <paramref name="typeOfService"/>, <paramref name="totalLength"/>,
    /// identification 0, <paramref name="flagsAndFragmentOffset"/>, <paramref name="timeToLive"/> /
    /// <paramref name="protocol"/>, checksum 0, <paramref name="source"/>, <paramref name="destination"/> (host order).
    /// </summary>
    public static ushort ForFields(byte typeOfService, ushort totalLength, ushort flagsAndFragmentOffset, byte timeToLive, byte protocol,
        uint source, uint destination)
    {
        uint sum = 0x4500u + typeOfService
                 + totalLength
                 + flagsAndFragmentOffset
                 + ((uint)timeToLive << 8) + protocol
                 + (source >> 16) + (source & 0xFFFF)
                 + (destination >> 16) + (destination & 0xFFFF);
        return InternetChecksum.Finish(sum);
    }
}
