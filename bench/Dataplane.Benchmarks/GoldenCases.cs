using Dataplane.Forwarding.Buffers;
using Dataplane.Ports.Pcap;

namespace Dataplane.Benchmarks;

/// <summary>Finds the golden regression cases (pcaps/golden/&lt;case&gt;) from wherever BenchmarkDotNet runs the benchmark process.</summary>
internal static class GoldenCases
{
    public static string Directory(string caseName)
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "pcaps", "golden", caseName);
                if (System.IO.Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException($"pcaps/golden/{caseName} not found above {AppContext.BaseDirectory}");
    }

    /// <summary>Every frame of a capture file, as byte arrays.</summary>
    public static List<byte[]> ReadFrames(string path)
    {
        var frames = new List<byte[]>();
        using var pool = new PacketPool(4);
        using var reader = CaptureReader.Open(path, pool);
        var packet = default(PacketDescriptor);
        while (reader.TryRead(ref packet) == CaptureReadResult.Packet)
        {
            frames.Add(packet.Data.ToArray());
            pool.Free(ref packet);
        }

        return frames;
    }
}
