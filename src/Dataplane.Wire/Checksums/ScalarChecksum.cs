using System.Buffers.Binary;

namespace Dataplane.Wire.Checksums;

/// <summary>The reference implementation: one big-endian word at a time, kept simple so the fast path can be tested against it.</summary>
public static class ScalarChecksum
{
    public static uint Sum(ReadOnlySpan<byte> data, uint initial = 0)
    {
        ulong sum = initial;
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            sum += (uint)data[i] << 8;
        }

        return InternetChecksum.Fold(sum);
    }
}
