using Dataplane.Forwarding.Buffers;
using Dataplane.Ports.Pcap;

namespace Dataplane.Tests.Golden;

/// <summary>Reads every frame of a capture as bytes, for comparisons.</summary>
public static class CaptureFrames
{
    public static List<byte[]> Read(string path)
    {
        using var pool = new PacketPool(bufferCount: 2, frameCapacity: 9216);
        using var reader = CaptureReader.Open(path, pool);
        var frames = new List<byte[]>();
        var packet = default(PacketDescriptor);
        CaptureReadResult result;
        while ((result = reader.TryRead(ref packet)) == CaptureReadResult.Packet)
        {
            frames.Add(packet.Data.ToArray());
            pool.Free(ref packet);
        }

        Assert.True(result == CaptureReadResult.EndOfFile, $"{path}: {reader.Error}");
        return frames;
    }

    /// <summary>Asserts two frame sequences are equal, naming the first frame and byte that differ.</summary>
    public static void AssertEqual(IReadOnlyList<byte[]> expected, IReadOnlyList<byte[]> actual, string what)
    {
        for (int i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            if (!expected[i].AsSpan().SequenceEqual(actual[i]))
            {
                int at = expected[i].AsSpan().CommonPrefixLength(actual[i]);
                Assert.Fail($"{what}: frame {i + 1} differs at byte {at} (expected {expected[i].Length} bytes, got {actual[i].Length})\n" +
                    $"expected: {Convert.ToHexString(expected[i])}\nactual:   {Convert.ToHexString(actual[i])}");
            }
        }

        Assert.True(expected.Count == actual.Count, $"{what}: expected {expected.Count} frames, got {actual.Count}");
    }
}
