using Dataplane.Forwarding.Buffers;
using Dataplane.Ports.Pcap;

namespace Dataplane.Fuzz.Targets;

/// <summary>
/// The pcap and pcapng readers (the reader picks the format from the magic, so one corpus holds both): a file
/// either is refused with an error, or reads record by record until end of file or a named error. Nothing throws,
/// every record lies inside its buffer, a buffer is always at hand, and every buffer goes back to the pool.
/// </summary>
public sealed class CaptureTarget : IFuzzTarget
{
    private const int MaxRecordsPerFile = 256;

    private readonly PacketPool pool = new(bufferCount: 4, frameCapacity: 9216);
    private byte[] copy = new byte[4096];

    public string Name => "capture";

    /// <summary>Records read so far (the replay tests expect the seed captures to yield some).</summary>
    public long Records { get; private set; }

    public void Execute(ReadOnlySpan<byte> input)
    {
        if (copy.Length < input.Length)
        {
            copy = new byte[input.Length];
        }

        input.CopyTo(copy);
        using var stream = new MemoryStream(copy, 0, input.Length, writable: false);
        if (!CaptureReader.TryOpen(stream, pool, out var reader, out var error))
        {
            FuzzInvariantException.Check(!string.IsNullOrEmpty(error.Message), "TryOpen refused without an error message");
            return;
        }

        using (reader)
        {
            var packet = default(PacketDescriptor);
            CaptureReadResult result = CaptureReadResult.Packet;
            for (int i = 0; i < MaxRecordsPerFile && (result = reader.TryRead(ref packet)) == CaptureReadResult.Packet; i++)
            {
                FuzzInvariantException.Check(packet.DataOffset >= 0 && packet.DataOffset + packet.Length <= packet.Capacity, "a record outside its buffer");
                Records++;
                pool.Free(ref packet);
            }

            FuzzInvariantException.Check(result != CaptureReadResult.NoBuffer, "the reader ran out of buffers");
            FuzzInvariantException.Check(result != CaptureReadResult.Error || reader.Error is not null, "an error result without an error");
        }

        FuzzInvariantException.Check(pool.BufferCount == pool.Available, "a buffer was not returned to the pool");
    }
}
