using System.Buffers.Binary;

namespace Dataplane.Tests.Fuzz;

/// <summary>
/// A seeded mutation engine in the style of AFL's havoc stage: bit flips, byte overwrites with interesting values,
/// truncations, insertions and deletions, splices of two seeds, and length-field lies (a 16- or 32-bit big- or
/// little-endian word at a random offset set to 0, 1, the remaining length +/- 1 or all ones), since length fields
/// are where parsers read past their input. The same seed always gives the same sequence, so a failure replays.
/// </summary>
public sealed class InputMutator(int seed, int maxLength = 65_536)
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x40, 0x20, 0x10];

    private readonly Random random = new(seed);

    /// <summary>One mutated copy of a seed picked from <paramref name="seeds"/> (1 to 4 stacked mutations).</summary>
    public byte[] Next(IReadOnlyList<byte[]> seeds)
    {
        var data = new List<byte>(seeds[random.Next(seeds.Count)]);
        int rounds = 1 + random.Next(4);
        for (int r = 0; r < rounds; r++)
        {
            Mutate(data, seeds);
        }

        if (data.Count > maxLength)
        {
            data.RemoveRange(maxLength, data.Count - maxLength);
        }

        return [.. data];
    }

    private void Mutate(List<byte> data, IReadOnlyList<byte[]> seeds)
    {
        switch (random.Next(9))
        {
            case 0 when data.Count > 0:
                data[random.Next(data.Count)] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[random.Next(data.Count)] = InterestingBytes[random.Next(InterestingBytes.Length)];
                break;
            case 2 when data.Count > 0:
                data[random.Next(data.Count)] = (byte)random.Next(256);
                break;
            case 3:
                Truncate(data);
                break;
            case 4:
                LieAboutALength(data);
                break;
            case 5 when data.Count > 0:
                {
                    int at = random.Next(data.Count);
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(8)));
                    break;
                }

            case 6:
                {
                    int at = random.Next(data.Count + 1);
                    int count = 1 + random.Next(16);
                    var insert = new byte[count];
                    random.NextBytes(insert);
                    data.InsertRange(at, insert);
                    break;
                }

            case 7:
                {
                    var other = seeds[random.Next(seeds.Count)];
                    int keep = random.Next(data.Count + 1);
                    int from = random.Next(other.Length + 1);
                    data.RemoveRange(keep, data.Count - keep);
                    data.AddRange(other.AsSpan(from).ToArray());
                    break;
                }

            default:
                LieAboutALength(data);
                break;
        }
    }

    private void Truncate(List<byte> data)
    {
        int length = random.Next(data.Count + 1);
        data.RemoveRange(length, data.Count - length);
    }

    private void LieAboutALength(List<byte> data)
    {
        bool wide = random.Next(2) == 0;
        int size = wide ? 4 : 2;
        if (data.Count < size)
        {
            return;
        }

        int at = random.Next(data.Count - size + 1);
        int remaining = data.Count - at;
        uint value = random.Next(7) switch
        {
            0 => 0,
            1 => 1,
            2 => (uint)remaining,
            3 => (uint)remaining + 1,
            4 => (uint)Math.Max(0, remaining - 1),
            5 => wide ? uint.MaxValue : ushort.MaxValue,
            _ => wide ? 0x7FFF_FFFFu : 0x7FFFu,
        };
        Span<byte> word = stackalloc byte[4];
        bool bigEndian = random.Next(2) == 0;
        if (wide)
        {
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt32BigEndian(word, value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(word, value);
            }
        }
        else if (bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(word, (ushort)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(word, (ushort)value);
        }

        for (int i = 0; i < size; i++)
        {
            data[at + i] = word[i];
        }
    }
}
