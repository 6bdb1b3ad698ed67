using Dataplane.Forwarding.Buffers;
using Dataplane.Ports.Pcap;

namespace Dataplane.Tests.Pcap;

public class PcapRoundTripTests
{
    private const long BaseTime = 1_700_000_000_123_456_789L;

    internal static CaptureReader OpenBytes(byte[] file, PacketPool pool)
    {
        Assert.True(CaptureReader.TryOpen(new MemoryStream(file), pool, out var reader, out var error), error.ToString());
        return reader;
    }

    [Theory]
    [InlineData(PcapTimestampPrecision.Microseconds)]
    [InlineData(PcapTimestampPrecision.Nanoseconds)]
    public void Writes_and_reads_back_frames_lengths_and_timestamps(PcapTimestampPrecision precision)
    {
        int[] lengths = [60, 1514, 1, 0, 2047];
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, CaptureLinkType.Ethernet, precision, leaveOpen: true))
        {
            for (var i = 0; i < lengths.Length; i++)
            {
                writer.Write(SpecBytes.Frame(lengths[i], i), BaseTime + i * 1_000_001L);
            }
        }

        using var pool = new PacketPool(8);
        using var reader = OpenBytes(stream.ToArray(), pool);
        var pcap = Assert.IsType<PcapReader>(reader);
        Assert.Equal(CaptureFormat.Pcap, reader.Format);
        Assert.Equal(precision, pcap.Precision);
        Assert.False(pcap.IsBigEndian);
        Assert.Equal(CaptureLinkType.Ethernet, pcap.LinkType);

        var packet = default(PacketDescriptor);
        long offset = 24;
        for (var i = 0; i < lengths.Length; i++)
        {
            Assert.Equal(CaptureReadResult.Packet, reader.TryRead(ref packet, out var record));
            Assert.Equal(SpecBytes.Frame(lengths[i], i), packet.Data.ToArray());
            Assert.Equal(pool.Headroom, packet.Headroom);
            Assert.Equal(FrameFormat.Ethernet, packet.Format);
            var expected = BaseTime + i * 1_000_001L;
            if (precision == PcapTimestampPrecision.Microseconds)
            {
                expected -= expected % 1000;
            }
            Assert.Equal(expected, record.Timestamp);
            Assert.Equal(expected, packet.Timestamp);
            Assert.Equal(lengths[i], record.CapturedLength);
            Assert.Equal(lengths[i], record.OriginalLength);
            Assert.Equal(offset, record.FileOffset);
            offset += 16 + lengths[i];
            pool.Free(ref packet);
        }
        Assert.Equal(CaptureReadResult.EndOfFile, reader.TryRead(ref packet));
        Assert.Equal(CaptureReadResult.EndOfFile, reader.TryRead(ref packet));
        Assert.Null(reader.Error);
        Assert.Equal(pool.BufferCount, pool.Available);
    }

    [Fact]
    public void Snaplen_cuts_frames_and_keeps_the_original_length()
    {
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, snapLength: 100, leaveOpen: true))
        {
            writer.Write(SpecBytes.Frame(300, 1), BaseTime);
        }
        using var pool = new PacketPool(1);
        using var reader = OpenBytes(stream.ToArray(), pool);
        var packet = default(PacketDescriptor);
        Assert.Equal(CaptureReadResult.Packet, reader.TryRead(ref packet, out var record));
        Assert.Equal(100, record.CapturedLength);
        Assert.Equal(300, record.OriginalLength);
        Assert.Equal(SpecBytes.Frame(300, 1)[..100], packet.Data.ToArray());
        pool.Free(ref packet);
    }

    [Theory]
    [InlineData((ushort)101)]
    [InlineData((ushort)228)]
    [InlineData((ushort)229)]
    public void Raw_ip_link_types_give_raw_ip_frames(ushort linkType)
    {
        var file = new SpecBytes(bigEndian: false)
            .U32(0xA1B2C3D4).U16(2).U16(4).U32(0).U32(0).U32(65535).U32(linkType)
            .U32(1).U32(2).U32(20).U32(20).Raw(SpecBytes.Frame(20, 0))
            .ToArray();
        using var pool = new PacketPool(1);
        using var reader = OpenBytes(file, pool);
        var packet = default(PacketDescriptor);
        Assert.Equal(CaptureReadResult.Packet, reader.TryRead(ref packet, out var record));
        Assert.Equal(FrameFormat.RawIp, packet.Format);
        Assert.Equal((CaptureLinkType)linkType, record.LinkType);
        Assert.Equal(1_000_002_000L, record.Timestamp);
        pool.Free(ref packet);
    }

    [Theory]
    [InlineData(0xA1B2C3D4u, 1000L)]
    [InlineData(0xA1B23C4Du, 1L)]
    public void Reads_big_endian_files_built_from_the_spec(uint magic, long unit)
    {
        // draft-ietf-opsawg-pcap: every header field in the writer's byte order, the magic
        // telling which; frame bytes are never swapped.
        var file = new SpecBytes(bigEndian: true)
            .U32(magic).U16(2).U16(4).U32(0).U32(0).U32(1500).U32(1)
            .U32(1_700_000_000).U32(123_456).U32(60).U32(64).Raw(SpecBytes.Frame(60, 7))
            .U32(1_700_000_001).U32(999).U32(3).U32(3).Raw(0xAA, 0xBB, 0xCC)
            .ToArray();
        using var pool = new PacketPool(3);
        using var reader = OpenBytes(file, pool);
        var pcap = Assert.IsType<PcapReader>(reader);
        Assert.True(pcap.IsBigEndian);
        Assert.Equal(1500u, pcap.SnapLength);

        var first = default(PacketDescriptor);
        var second = default(PacketDescriptor);
        Assert.Equal(CaptureReadResult.Packet, reader.TryRead(ref first, out var r1));
        Assert.Equal(CaptureReadResult.Packet, reader.TryRead(ref second, out var r2));
        var end = default(PacketDescriptor);
        Assert.Equal(CaptureReadResult.EndOfFile, reader.TryRead(ref end));

        Assert.Equal(1_700_000_000L * 1_000_000_000 + 123_456 * unit, r1.Timestamp);
        Assert.Equal(60, r1.CapturedLength);
        Assert.Equal(64, r1.OriginalLength);
        Assert.Equal(SpecBytes.Frame(60, 7), first.Data.ToArray());
        Assert.Equal(1_700_000_001L * 1_000_000_000 + 999 * unit, r2.Timestamp);
        Assert.Equal(new byte[] { 0xAA, 0xBB, 0xCC }, second.Data.ToArray());
        Assert.Equal(24 + 16 + 60, r2.FileOffset);
        pool.Free(ref first);
        pool.Free(ref second);
    }

    [Fact]
    public void Batch_read_fills_to_capacity_then_reports_end_of_file()
    {
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, leaveOpen: true))
        {
            for (var i = 0; i < 300; i++)
            {
                writer.Write(SpecBytes.Frame(64, i), BaseTime + i);
            }
        }
        using var pool = new PacketPool(512);
        using var reader = OpenBytes(stream.ToArray(), pool);
        reader.IngressPort = 3;
        var batch = new PacketBatch();

        Assert.Equal(CaptureReadResult.Packet, reader.ReadBatch(batch));
        Assert.Equal(256, batch.Count);
        Assert.Equal(SpecBytes.Frame(64, 255), batch[255].Data.ToArray());
        Assert.Equal(3, batch[0].IngressPort);
        pool.Free(batch);

        Assert.Equal(CaptureReadResult.EndOfFile, reader.ReadBatch(batch));
        Assert.Equal(44, batch.Count);
        Assert.Equal(SpecBytes.Frame(64, 299), batch[43].Data.ToArray());
        pool.Free(batch);
        Assert.Equal(pool.BufferCount, pool.Available);
    }

    [Fact]
    public void Empty_pool_consumes_nothing()
    {
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, leaveOpen: true))
        {
            writer.Write(SpecBytes.Frame(64, 0), BaseTime);
            writer.Write(SpecBytes.Frame(64, 1), BaseTime);
        }
        using var pool = new PacketPool(1);
        using var reader = OpenBytes(stream.ToArray(), pool);
        var first = default(PacketDescriptor);
        var second = default(PacketDescriptor);
        Assert.Equal(CaptureReadResult.Packet, reader.TryRead(ref first));
        Assert.Equal(CaptureReadResult.NoBuffer, reader.TryRead(ref second));
        pool.Free(ref first);
        Assert.Equal(CaptureReadResult.Packet, reader.TryRead(ref second));
        Assert.Equal(SpecBytes.Frame(64, 1), second.Data.ToArray());
        pool.Free(ref second);
    }

    [Fact]
    public void Open_reads_a_file_by_path_and_sniffs_the_format()
    {
        using var pcap = new TempFile(".pcap");
        using var pcapng = new TempFile(".pcapng");
        using (var writer = new PcapWriter(pcap.Path))
        {
            writer.Write(SpecBytes.Frame(60, 0), BaseTime);
        }
        using (var writer = new PcapNgWriter(pcapng.Path))
        {
            writer.Write(SpecBytes.Frame(60, 0), BaseTime);
        }
        using var pool = new PacketPool(1);
        foreach (var (path, format) in new[] { (pcap.Path, CaptureFormat.Pcap), (pcapng.Path, CaptureFormat.PcapNg) })
        {
            using var reader = CaptureReader.Open(path, pool);
            Assert.Equal(format, reader.Format);
            var packet = default(PacketDescriptor);
            Assert.Equal(CaptureReadResult.Packet, reader.TryRead(ref packet));
            Assert.Equal(SpecBytes.Frame(60, 0), packet.Data.ToArray());
            pool.Free(ref packet);
        }
    }
}
