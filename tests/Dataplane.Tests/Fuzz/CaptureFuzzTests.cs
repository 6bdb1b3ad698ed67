using Dataplane.Forwarding.Buffers;
using Dataplane.Ports.Pcap;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Fuzz;

/// <summary>
/// The pcap and pcapng readers over mutated capture files (the committed pcaps as seeds): the reader either
/// refuses to open with an error, or reads records until end of file or a named error; nothing throws, every
/// frame lies inside its buffer, and every buffer goes back to the pool.
/// </summary>
public class CaptureFuzzTests
{
    private const int MaxRecordsPerFile = 256;

    public static List<byte[]> Seeds(string extension) =>
        Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "pcaps"), "*" + extension)
            .Concat(Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "pcaps", "golden"), "input" + extension, SearchOption.AllDirectories).Take(6))
            .Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();

    [Theory]
    [InlineData(".pcap")]
    [InlineData(".pcapng")]
    public void The_capture_reader_survives_mutated_files(string extension)
    {
        using var pool = new PacketPool(bufferCount: 4, frameCapacity: 9216);
        long records = 0;
        FuzzBudget.Run("capture" + extension, Seeds(extension), 30_000, input =>
        {
            using var stream = new MemoryStream(input, writable: false);
            if (!CaptureReader.TryOpen(stream, pool, out var reader, out var error))
            {
                Assert.False(string.IsNullOrEmpty(error.Message));
                return;
            }

            using (reader)
            {
                var packet = default(PacketDescriptor);
                CaptureReadResult result = CaptureReadResult.Packet;
                for (int i = 0; i < MaxRecordsPerFile && (result = reader.TryRead(ref packet)) == CaptureReadResult.Packet; i++)
                {
                    Assert.True(packet.DataOffset >= 0 && packet.DataOffset + packet.Length <= packet.Capacity, "a record outside its buffer");
                    records++;
                    pool.Free(ref packet);
                }

                Assert.NotEqual(CaptureReadResult.NoBuffer, result);
                if (result == CaptureReadResult.Error)
                {
                    Assert.NotNull(reader.Error);
                }
            }

            Assert.Equal(pool.BufferCount, pool.Available);
        });

        Assert.True(records > 0, "the seed captures must yield records");
    }
}
