using Dataplane.Wire.Checksums;

namespace Dataplane.Tests.Wire.Checksums;

/// <summary>The fast paths must agree with the one-word-at-a-time reference for every length, offset and seed value.</summary>
public class ChecksumPathEquivalenceTests
{
    private static readonly byte[] Random2k = RandomBytes(2048 + 64, seed: 1071);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(31)]
    public void Every_path_equals_scalar_for_every_length_up_to_2048(int startOffset)
    {
        for (int length = 0; length <= 2048; length++)
        {
            ReadOnlySpan<byte> data = Random2k.AsSpan(startOffset, length);
            uint expected = ScalarChecksum.Sum(data);
            Assert.Equal(expected, WideScalarChecksum.Sum(data));
            Assert.Equal(expected, VectorChecksum.Sum(data));
            Assert.Equal(expected, VectorChecksum.Sum(data, 0, allowVector256: false));
            Assert.Equal(expected, InternetChecksum.Sum(data));
        }
    }

    [Fact]
    public void A_nonzero_initial_sum_is_added_in_network_order()
    {
        var rng = new Random(42);
        for (int length = 0; length <= 300; length++)
        {
            uint initial = (uint)rng.Next(0, 0x10000);
            ReadOnlySpan<byte> data = Random2k.AsSpan(length % 5, length);
            uint expected = ScalarChecksum.Sum(data, initial);
            Assert.Equal(expected, WideScalarChecksum.Sum(data, initial));
            Assert.Equal(expected, VectorChecksum.Sum(data, initial));
            Assert.Equal(expected, VectorChecksum.Sum(data, initial, allowVector256: false));
            Assert.Equal(expected, InternetChecksum.Sum(data, initial));
        }
    }

    [Theory]
    [InlineData(0xFF)]
    [InlineData(0x00)]
    public void Extreme_bytes_over_several_accumulator_blocks_do_not_overflow(byte fill)
    {
        // 1 MiB + 5 bytes of 0xFF puts the largest possible value in every lane for more than one 2^14-vector block.
        var data = new byte[(1 << 20) + 5];
        Array.Fill(data, fill);
        uint expected = ScalarChecksum.Sum(data);
        Assert.Equal(expected, VectorChecksum.Sum(data));
        Assert.Equal(expected, VectorChecksum.Sum(data, 0, allowVector256: false));
        Assert.Equal(expected, WideScalarChecksum.Sum(data));
    }

    [Fact]
    public void Random_large_buffers_match()
    {
        var data = RandomBytes(70_001, seed: 7);
        for (int offset = 0; offset < 4; offset++)
        {
            ReadOnlySpan<byte> span = data.AsSpan(offset);
            Assert.Equal(ScalarChecksum.Sum(span), InternetChecksum.Sum(span));
            Assert.Equal(ScalarChecksum.Sum(span), VectorChecksum.Sum(span, 0, allowVector256: false));
        }
    }

    internal static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
