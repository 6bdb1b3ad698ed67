using System.Globalization;
using Dataplane.Forwarding.Buffers;
using Dataplane.Host.Cli;
using Dataplane.Ports.Pcap;

namespace Dataplane.Host.Inspect;

/// <summary>
/// <c>dataplane inspect [FILE.pcap|FILE.pcapng]</c>: one line per packet naming the layers our views recognise,
/// then a tally by layer and the packets that failed to parse with their reasons. Without a file it reads the
/// capture embedded in the program (pcaps/quickstart.pcap), so the command shows something on a fresh machine.
/// </summary>
public static class InspectCommand
{
    public const string EmbeddedCaptureName = "quickstart.pcap";

    /// <summary>The verb as the command line runs it: <c>dataplane inspect</c> followed by <paramref name="arguments"/>.</summary>
    public static int Run(IReadOnlyList<string> arguments, TextWriter output, TextWriter error) =>
        DataplaneCli.Invoke(["inspect", .. arguments], output, error);

    /// <summary>Inspects <paramref name="path"/>, or the embedded capture when it is null. Exit 0, or 1 for a capture that cannot be read.</summary>
    public static int Execute(string? path, TextWriter output, TextWriter error)
    {
        string name = path ?? $"(embedded) {EmbeddedCaptureName}";
        Stream stream;
        try
        {
            stream = path is null ? OpenEmbeddedCapture() : File.OpenRead(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {name}: {exception.Message}");
            return 1;
        }

        using var pool = new PacketPool(bufferCount: 4, frameCapacity: ushort.MaxValue - PacketPool.DefaultHeadroom);
        if (!CaptureReader.TryOpen(stream, pool, out var reader, out var openError))
        {
            stream.Dispose();
            error.WriteLine($"error: {name}: {openError}");
            return 1;
        }

        using (reader)
        {
            return Inspect(name, reader, pool, output, error);
        }
    }

    private static int Inspect(string name, CaptureReader reader, PacketPool pool, TextWriter output, TextWriter error)
    {
        var dissector = new LayerDissector();
        var tally = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<(long Number, string Reason)>();
        long packets = 0;
        output.WriteLine($"{name}: {reader.Format}");
        var packet = default(PacketDescriptor);
        CaptureReadResult result;
        while ((result = reader.TryRead(ref packet, out var record)) == CaptureReadResult.Packet)
        {
            packets++;
            dissector.Dissect(packet.Data, record.LinkType.ToFrameFormat() == FrameFormat.RawIp);
            pool.Free(ref packet);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{packets,6} {record.CapturedLength,5}  {dissector.Description}"));
            foreach (string layer in dissector.Layers.Distinct())
            {
                tally[layer] = tally.GetValueOrDefault(layer) + 1;
            }

            if (dissector.FailureReason is { } reason)
            {
                failures.Add((packets, reason));
            }
        }

        output.WriteLine();
        output.WriteLine($"{packets} packets, {packets - failures.Count} parsed to the last layer, {failures.Count} failed to parse");
        output.WriteLine("packets by layer:");
        foreach (var (layer, count) in tally)
        {
            output.WriteLine($"  {layer,-14} {count,8}");
        }

        if (failures.Count > 0)
        {
            output.WriteLine("failed to parse:");
            foreach (var (number, reason) in failures)
            {
                output.WriteLine($"  packet {number}: {reason}");
            }
        }

        if (result == CaptureReadResult.Error)
        {
            error.WriteLine($"error: {name}: {reader.Error}");
            return 1;
        }

        return 0;
    }

    private static Stream OpenEmbeddedCapture() =>
        typeof(InspectCommand).Assembly.GetManifestResourceStream(EmbeddedCaptureName)
        ?? throw new IOException($"the program was built without its embedded {EmbeddedCaptureName}");
}
