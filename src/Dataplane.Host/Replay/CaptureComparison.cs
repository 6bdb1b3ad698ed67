using System.Globalization;
using Dataplane.Forwarding.Buffers;
using Dataplane.Host.Inspect;
using Dataplane.Ports.Pcap;

namespace Dataplane.Host.Replay;

/// <summary>
/// <c>--expect-pcap</c>: the transmitted packets against an expected capture, packet by packet and byte by byte. When
/// both files name their interfaces (pcapng written per port) and the expected file's names are ports the output
/// used, the packets are compared port by port, in order within each port, so the order between ports does not
/// matter; otherwise in file order. The first difference is described
/// by port, packet and byte offset, with the header layer holding that byte in each frame.
/// </summary>
public static class CaptureComparison
{
    /// <summary>A frame as read back, with the interface it was on (null when the file does not name it).</summary>
    public sealed record Frame(string? Port, byte[] Bytes, bool RawIp, int Number);

    /// <summary>Every frame of a capture; false with the reader's error when the file does not parse.</summary>
    public static bool TryRead(string path, out List<Frame> frames, out string problem)
    {
        frames = [];
        using var pool = new PacketPool(bufferCount: 2, frameCapacity: 60 * 1024);
        if (!CaptureReader.TryOpen(path, pool, out var reader, out var openError))
        {
            problem = openError.ToString();
            return false;
        }

        using (reader)
        {
            var packet = default(PacketDescriptor);
            CaptureReadResult result;
            while ((result = reader.TryRead(ref packet, out var record)) == CaptureReadResult.Packet)
            {
                string? port = reader is PcapNgReader named ? named.InterfaceName(record.InterfaceIndex) : null;
                frames.Add(new Frame(port, packet.Data.ToArray(), record.LinkType != CaptureLinkType.Ethernet, frames.Count + 1));
                pool.Free(ref packet);
            }

            problem = result == CaptureReadResult.Error ? reader.Error.ToString()! : "";
            return result != CaptureReadResult.Error;
        }
    }

    /// <summary>The first difference, described for a person; null when the captures hold the same frames.</summary>
    public static string? FirstDifference(IReadOnlyList<Frame> expected, IReadOnlyList<Frame> actual)
    {
        // Per port only when the expected file's interfaces are ports the output used; otherwise in file order.
        var outputPorts = actual.Select(f => f.Port).ToHashSet();
        bool byPort = expected.Count > 0 && actual.All(f => f.Port is not null) && expected.All(f => f.Port is not null && outputPorts.Contains(f.Port));
        if (!byPort)
        {
            return Compare(null, expected, actual);
        }

        foreach (string port in expected.Select(f => f.Port!).Union(actual.Select(f => f.Port!)).Order(StringComparer.Ordinal))
        {
            string? difference = Compare(port, [.. expected.Where(f => f.Port == port)], [.. actual.Where(f => f.Port == port)]);
            if (difference is not null)
            {
                return difference;
            }
        }

        return null;
    }

    private static string? Compare(string? port, IReadOnlyList<Frame> expected, IReadOnlyList<Frame> actual)
    {
        string where = port is null ? "" : $"port {port}: ";
        for (int i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            var (want, got) = (expected[i], actual[i]);
            int offset = want.Bytes.AsSpan().CommonPrefixLength(got.Bytes);
            if (offset == want.Bytes.Length && offset == got.Bytes.Length)
            {
                continue;
            }

            string packet = $"{where}packet {i + 1} (expected #{want.Number}, got #{got.Number} in file order)";
            if (offset == want.Bytes.Length || offset == got.Bytes.Length)
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"{packet}: expected {want.Bytes.Length} bytes, got {got.Bytes.Length}; the first {offset} are equal (the shorter ends in {Layer(offset == want.Bytes.Length ? want : got, Math.Max(offset - 1, 0))})");
            }

            return string.Create(CultureInfo.InvariantCulture,
                $"{packet}: byte {offset} differs: expected 0x{want.Bytes[offset]:x2} in {Layer(want, offset)}, got 0x{got.Bytes[offset]:x2} in {Layer(got, offset)}");
        }

        if (expected.Count != actual.Count)
        {
            string extra = expected.Count > actual.Count
                ? $"the first missing is expected #{expected[actual.Count].Number}"
                : $"the first extra is #{actual[expected.Count].Number} of the output";
            return $"{where}expected {expected.Count} packets, got {actual.Count} ({extra})";
        }

        return null;
    }

    private static string Layer(Frame frame, int offset) => new LayerDissector().LayerAt(frame.Bytes, frame.RawIp, offset);
}
