using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dataplane.Wire.Checksums;

/// <summary>
/// The fast scalar sum: 8 bytes per step in native byte order. RFC 1071 section 2(B) lets us add the words
/// in whatever byte order the machine loads them and swap the folded result once at the end, so no per-word swap is paid.
/// Used for short buffers, for the tails the vector path leaves, and where there is no SIMD.
/// </summary>
public static class WideScalarChecksum
{
    public static uint Sum(ReadOnlySpan<byte> data, uint initial = 0) =>
        Combine(SumNative(ref MemoryMarshal.GetReference(data), data.Length), initial);

    /// <summary>
    /// The unfolded sum of native-order 16-bit words of <paramref name="length"/> bytes at <paramref name="start"/>.
    /// Each 8-byte step adds two 32-bit halves (under 2^33), so the 64-bit total cannot overflow for any span length.
    /// The caller must start at an even offset of the checksummed data: a trailing odd byte is the high byte of a big-endian word.
    /// </summary>
    internal static ulong SumNative(ref byte start, nint length)
    {
        ulong sum0 = 0;
        ulong sum1 = 0;
        nint i = 0;

        // Two accumulators so consecutive adds do not wait on each other.
        for (; i <= length - 16; i += 16)
        {
            ulong a = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i));
            ulong b = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i + 8));
            sum0 += (uint)a + (a >> 32);
            sum1 += (uint)b + (b >> 32);
        }

        ulong sum = sum0 + sum1;
        if (i <= length - 8)
        {
            ulong a = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i));
            sum += (uint)a + (a >> 32);
            i += 8;
        }

        if (i <= length - 4)
        {
            sum += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, i));
            i += 4;
        }

        if (i <= length - 2)
        {
            sum += Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref start, i));
            i += 2;
        }

        if (i < length)
        {
            // The lone byte is padded with a zero on its right (RFC 1071); in a little-endian load that is the low byte.
            uint last = Unsafe.Add(ref start, i);
            sum += BitConverter.IsLittleEndian ? last : last << 8;
        }

        return sum;
    }

    /// <summary>Folds a native-order sum, turns it into network order, and adds the caller's (network-order) partial sum.</summary>
    internal static uint Combine(ulong nativeSum, uint initial)
    {
        uint folded = InternetChecksum.Fold(nativeSum);
        if (BitConverter.IsLittleEndian)
        {
            folded = BinaryPrimitives.ReverseEndianness((ushort)folded);
        }

        return InternetChecksum.Fold((ulong)folded + initial);
    }
}
