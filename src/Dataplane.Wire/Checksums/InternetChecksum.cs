using System.Buffers.Binary;
using Dataplane.Wire.Addresses;

namespace Dataplane.Wire.Checksums;

/// <summary>
/// The Internet checksum (RFC 1071): the one's-complement sum of big-endian 16-bit words.
/// Partial sums are kept "folded" (at most 16 bits, not complemented) so they can be added together:
/// <c>Finish(Fold(a + b))</c>. The value returned by <see cref="Finish"/> is written with a big-endian store.
/// </summary>
public static class InternetChecksum
{
    /// <summary>
    /// The folded one's-complement sum of <paramref name="data"/> added to <paramref name="initial"/>.
    /// Long buffers take the SIMD path; headers (20-60 bytes) take the 8-bytes-a-step scalar path, which is faster there.
    /// </summary>
    public static uint Sum(ReadOnlySpan<byte> data, uint initial = 0) =>
        data.Length >= VectorChecksum.MinimumLength && VectorChecksum.IsSupported
            ? VectorChecksum.Sum(data, initial)
            : WideScalarChecksum.Sum(data, initial);

    /// <summary>Folds carries back into the low 16 bits.</summary>
    public static uint Fold(ulong sum)
    {
        sum = (sum & 0xFFFF_FFFF) + (sum >> 32);
        sum = (sum & 0xFFFF_FFFF) + (sum >> 32);
        uint s = (uint)sum;
        s = (s & 0xFFFF) + (s >> 16);
        s = (s & 0xFFFF) + (s >> 16);
        return s;
    }

    /// <summary>The checksum field value for a folded sum (its one's complement).</summary>
    public static ushort Finish(uint foldedSum) => (ushort)~Fold(foldedSum);

    /// <summary>The checksum of <paramref name="data"/> alone (IPv4 header, ICMPv4).</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => Finish(Sum(data));

    /// <summary>The IPv4 pseudo-header (RFC 768 / RFC 793) sum for an upper-layer length in bytes.</summary>
    public static uint PseudoHeaderSum(Ipv4Address source, Ipv4Address destination, byte protocol, int upperLayerLength)
    {
        ulong sum = (source.Value >> 16) + (source.Value & 0xFFFF)
                  + (destination.Value >> 16) + (destination.Value & 0xFFFF)
                  + protocol + (uint)upperLayerLength;
        return Fold(sum);
    }

    /// <summary>The IPv6 pseudo-header (RFC 8200 section 8.1) sum for an upper-layer length in bytes.</summary>
    public static uint PseudoHeaderSum(Ipv6Address source, Ipv6Address destination, byte nextHeader, int upperLayerLength)
    {
        ulong sum = SumWords(source.High) + SumWords(source.Low) + SumWords(destination.High) + SumWords(destination.Low)
                  + ((uint)upperLayerLength >> 16) + ((uint)upperLayerLength & 0xFFFF) + nextHeader;
        return Fold(sum);
    }

    /// <summary>
    /// RFC 1624 equation 3: the new checksum field after one 16-bit word of the covered data changed
    /// from <paramref name="oldWord"/> to <paramref name="newWord"/>: HC' = ~(~HC + ~m + m').
    /// </summary>
    public static ushort Update(ushort checksum, ushort oldWord, ushort newWord)
    {
        uint sum = (uint)(ushort)~checksum + (ushort)~oldWord + newWord;
        return (ushort)~Fold(sum);
    }

    /// <summary>RFC 1624 for a 32-bit field (an IPv4 address) that changed.</summary>
    public static ushort Update(ushort checksum, uint oldValue, uint newValue)
    {
        uint sum = (uint)(ushort)~checksum
                 + (ushort)~(oldValue >> 16) + (ushort)~(oldValue & 0xFFFF)
                 + (newValue >> 16) + (newValue & 0xFFFF);
        return (ushort)~Fold(sum);
    }

    /// <summary>True when the data, checksum field included, sums to 0xFFFF (the receiver's check).</summary>
    public static bool IsValid(ReadOnlySpan<byte> data, uint initial = 0) => Fold(Sum(data, initial)) == 0xFFFF;

    private static ulong SumWords(ulong value) =>
        (value >> 48) + ((value >> 32) & 0xFFFF) + ((value >> 16) & 0xFFFF) + (value & 0xFFFF);
}
