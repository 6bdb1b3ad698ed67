using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Dataplane.Forwarding.Lisp;

/// <summary>
/// One worker's source of 24-bit LISP nonces (RFC 9300 section 5.3: N bit set, nonce "randomly generated").
/// Live: random bytes from <see cref="RandomNumberGenerator.Fill(Span{byte})"/> into a preallocated buffer, refilled
/// when used up, so the hot path never allocates. Replay (a seed given): the deterministic SplitMix64 sequence that
/// pcaps/golden/goldenlib.py <c>replay_nonce</c> specifies: the k-th nonce (k = 0, 1, 2 ... counting packets this
/// worker encapsulates) is the low 24 bits of SplitMix64's k-th output with the state starting at the seed.
/// </summary>
public sealed class LispNonceGenerator
{
    private const ulong GoldenGamma = 0x9E37_79B9_7F4A_7C15;
    private const int RandomBufferBytes = 4096;

    private readonly bool deterministic;
    private readonly byte[]? randomBytes;
    private ulong state;
    private int randomOffset;

    public LispNonceGenerator(ulong? seed)
    {
        if (seed is { } value)
        {
            deterministic = true;
            state = value;
        }
        else
        {
            randomBytes = new byte[RandomBufferBytes];
            randomOffset = RandomBufferBytes; // filled on first use
        }
    }

    /// <summary>The next nonce, in 0..0xFFFFFF.</summary>
    public uint Next()
    {
        if (deterministic)
        {
            state += GoldenGamma;
            ulong z = state;
            z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9;
            z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB;
            z ^= z >> 31;
            return (uint)z & 0xFF_FFFF;
        }

        var bytes = randomBytes!;
        if (randomOffset + sizeof(uint) > bytes.Length)
        {
            RandomNumberGenerator.Fill(bytes);
            randomOffset = 0;
        }

        uint nonce = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(randomOffset)) & 0xFF_FFFF;
        randomOffset += sizeof(uint);
        return nonce;
    }
}
