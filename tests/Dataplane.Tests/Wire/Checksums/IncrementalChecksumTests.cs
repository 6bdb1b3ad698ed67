using System.Buffers.Binary;
using Dataplane.Wire.Checksums;

namespace Dataplane.Tests.Wire.Checksums;

/// <summary>RFC 1624 incremental updates must give the same field value as recomputing from scratch.</summary>
public class IncrementalChecksumTests
{
    [Fact]
    public void Rfc1624_section4_example_gives_0000_not_ffff()
    {
        // RFC 1624 section 4: the other words sum to 0xCD7A, m = 0x5555 changes to m' = 0x3285.
        // HC = ~(0xCD7A + 0x5555) = 0xDD2F; recomputed HC' = ~(0xCD7A + 0x3285) = ~0xFFFF = 0x0000.
        // RFC 1141's HC - ~m - m' would give 0xFFFF, which is wrong.
        byte[] before = [0xCD, 0x7A, 0x55, 0x55];
        byte[] after = [0xCD, 0x7A, 0x32, 0x85];
        Assert.Equal((ushort)0xDD2F, InternetChecksum.Compute(before));
        Assert.Equal((ushort)0x0000, InternetChecksum.Compute(after));
        Assert.Equal((ushort)0x0000, InternetChecksum.Update(0xDD2F, (ushort)0x5555, (ushort)0x3285));
    }

    [Fact]
    public void Random_word_edits_equal_full_recomputation()
    {
        var rng = new Random(1624);
        var header = new byte[60];
        for (int trial = 0; trial < 20_000; trial++)
        {
            rng.NextBytes(header);
            WriteChecksum(header);

            int word = 1 + rng.Next(header.Length / 2 - 1); // word 0 holds the checksum field in this layout
            ushort oldWord = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(word * 2));
            ushort newWord = trial % 4 == 0 ? WordThatMakesSumNegativeZero(header, word) : (ushort)rng.Next(0x10000);
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(word * 2), newWord);

            ushort updated = InternetChecksum.Update(BinaryPrimitives.ReadUInt16BigEndian(header), oldWord, newWord);
            Assert.Equal(Recompute(header), updated);
        }
    }

    [Fact]
    public void Random_32_bit_edits_equal_full_recomputation()
    {
        var rng = new Random(793);
        var header = new byte[20];
        for (int trial = 0; trial < 20_000; trial++)
        {
            rng.NextBytes(header);
            WriteChecksum(header);

            int at = 4 * (1 + rng.Next(4)); // a 32-bit aligned field other than the one holding the checksum
            uint oldValue = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(at));
            uint newValue = (uint)rng.NextInt64(0, 1L << 32);
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(at), newValue);

            ushort updated = InternetChecksum.Update(BinaryPrimitives.ReadUInt16BigEndian(header), oldValue, newValue);
            Assert.Equal(Recompute(header), updated);
        }
    }

    private static void WriteChecksum(byte[] header)
    {
        // The checksum lives in word 0 here. Keep a nonzero byte elsewhere: all-zero data is the one input where
        // recomputation (0xFFFF) and RFC 1624 (0x0000) legitimately differ, both being one's-complement zero.
        BinaryPrimitives.WriteUInt16BigEndian(header, 0);
        header[2] |= 0x01;
        BinaryPrimitives.WriteUInt16BigEndian(header, InternetChecksum.Compute(header));
    }

    private static ushort Recompute(byte[] header)
    {
        var copy = (byte[])header.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(copy, 0);
        return InternetChecksum.Compute(copy);
    }

    /// <summary>The replacement word that makes the covered data (checksum excluded) sum to 0xFFFF, the RFC 1624 corner.</summary>
    private static ushort WordThatMakesSumNegativeZero(byte[] header, int word)
    {
        var copy = (byte[])header.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(copy, 0);
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(word * 2), 0);
        uint others = ScalarChecksum.Sum(copy);
        return (ushort)(0xFFFF - others);
    }
}
