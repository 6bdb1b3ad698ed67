using Dataplane.Forwarding.Buffers;
using Dataplane.Ports.Pcap;

namespace Dataplane.Tests.Pcap;

/// <summary>
/// Every kind of broken file gives an error naming the offset of the bad header, record or
/// block, as a result rather than an exception, and the reader stays in error.
/// </summary>
public class CaptureErrorTests
{
    private const int PcapHeader = 24;
    private const int PcapRecordHeader = 16;
    private const int MinimalSectionHeader = 28;
    private const int MinimalInterface = 20;

    private static SpecBytes PcapHeaderBytes(uint snapLength = 65535, uint linkType = 1) =>
        new SpecBytes(bigEndian: false).U32(0xA1B2C3D4).U16(2).U16(4).U32(0).U32(0).U32(snapLength).U32(linkType);

    private static SpecBytes PcapRecord(SpecBytes file, int length, uint capturedLength = uint.MaxValue) =>
        file.U32(1).U32(0).U32(capturedLength == uint.MaxValue ? (uint)length : capturedLength).U32((uint)length).Raw(SpecBytes.Frame(length, length));

    private static SpecBytes PcapNgStart(bool withInterface = true, ushort linkType = 1, uint snapLength = 0)
    {
        var file = new SpecBytes(bigEndian: false)
            .Block(0x0A0D0D0A, b => b.U32(0x1A2B3C4D).U16(1).U16(0).U64(ulong.MaxValue));
        return withInterface ? file.Block(1, b => b.U16(linkType).U16(0).U32(snapLength)) : file;
    }

    private static void ExpectOpenError(byte[] file, long offset, string fragment)
    {
        using var pool = new PacketPool(1);
        Assert.False(CaptureReader.TryOpen(new MemoryStream(file), pool, out var reader, out var error));
        Assert.Null(reader);
        Assert.Equal(offset, error.Offset);
        Assert.Contains(fragment, error.Message);
    }

    private static void ExpectReadError(byte[] file, long offset, string fragment, int goodPackets = 0, int frameCapacity = PacketPool.DefaultFrameCapacity)
    {
        using var pool = new PacketPool(2, frameCapacity);
        using var reader = PcapRoundTripTests.OpenBytes(file, pool);
        var packet = default(PacketDescriptor);
        for (var i = 0; i < goodPackets; i++)
        {
            Assert.Equal(CaptureReadResult.Packet, reader.TryRead(ref packet));
            pool.Free(ref packet);
        }
        Assert.Equal(CaptureReadResult.Error, reader.TryRead(ref packet));
        var error = Assert.NotNull(reader.Error);
        Assert.Equal(offset, error.Offset);
        Assert.Contains(fragment, error.Message);
        Assert.Contains($"offset {offset}", error.ToString());
        // Sticky, and no buffer leaked on the error path.
        Assert.Equal(CaptureReadResult.Error, reader.TryRead(ref packet));
        Assert.Equal(CaptureReadResult.Error, reader.ReadBatch(new PacketBatch()));
        Assert.Equal(pool.BufferCount, pool.Available);
    }

    [Fact]
    public void Empty_file() => ExpectOpenError([], 0, "too short");

    [Fact]
    public void Bad_magic() => ExpectOpenError([0xDE, 0xAD, 0xBE, 0xEF, 0, 0, 0, 0], 0, "bad magic number 0xefbeadde");

    [Fact]
    public void Open_throws_for_a_bad_header_with_the_path_and_offset()
    {
        using var file = new TempFile(".pcap");
        File.WriteAllBytes(file.Path, [1, 2, 3, 4, 5]);
        using var pool = new PacketPool(1);
        var exception = Assert.Throws<CaptureFormatException>(() => CaptureReader.Open(file.Path, pool));
        Assert.Equal(0, exception.Error.Offset);
        Assert.Contains(file.Path, exception.Message);
    }

    [Fact]
    public void Pcap_truncated_file_header() =>
        ExpectOpenError(PcapHeaderBytes().ToArray()[..10], 0, "truncated file header");

    [Fact]
    public void Pcap_unknown_link_type() =>
        ExpectOpenError(PcapHeaderBytes(linkType: 105).ToArray(), 0, "unsupported link type 105");

    [Fact]
    public void Pcap_truncated_record_header()
    {
        var file = PcapRecord(PcapHeaderBytes(), 60).Raw(1, 2, 3, 4, 5, 6, 7).ToArray();
        ExpectReadError(file, PcapHeader + PcapRecordHeader + 60, "truncated record header", goodPackets: 1);
    }

    [Fact]
    public void Pcap_truncated_record_body()
    {
        var file = PcapRecord(PcapHeaderBytes(), 60).ToArray()[..^10];
        ExpectReadError(file, PcapHeader, "truncated record body");
    }

    [Fact]
    public void Pcap_captured_length_beyond_snaplen() =>
        ExpectReadError(PcapRecord(PcapHeaderBytes(snapLength: 100), 200).ToArray(), PcapHeader, "exceeds the snapshot length 100");

    [Fact]
    public void Pcap_absurd_captured_length()
    {
        // snaplen 0 (unstated) so only the absolute limit applies; the body is not there either.
        var file = PcapHeaderBytes(snapLength: 0).U32(1).U32(0).U32(300_000).U32(300_000).ToArray();
        ExpectReadError(file, PcapHeader, "exceeds the 262144-byte limit");
    }

    [Fact]
    public void Pcap_packet_larger_than_a_pool_buffer()
    {
        var file = PcapRecord(PcapRecord(PcapHeaderBytes(), 100), 1000).ToArray();
        ExpectReadError(file, PcapHeader + PcapRecordHeader + 100, "does not fit a pool buffer of 256 bytes", goodPackets: 1, frameCapacity: 256);
    }

    [Fact]
    public void PcapNg_truncated_section_header() =>
        ExpectOpenError(PcapNgStart(withInterface: false).ToArray()[..20], 0, "truncated section header block");

    [Fact]
    public void PcapNg_bad_byte_order_magic()
    {
        var file = new SpecBytes(false).Block(0x0A0D0D0A, b => b.U32(0x11223344).U16(1).U16(0).U64(0)).ToArray();
        ExpectOpenError(file, 0, "bad byte-order magic 0x11223344");
    }

    [Fact]
    public void PcapNg_bad_section_header_in_a_later_section()
    {
        var first = PcapNgStart().ToArray();
        var file = new SpecBytes(false).Raw(first).Block(0x0A0D0D0A, b => b.U32(0x11223344).U16(1).U16(0).U64(0)).ToArray();
        ExpectReadError(file, first.Length, "byte-order magic");
    }

    [Fact]
    public void PcapNg_block_length_not_a_multiple_of_four()
    {
        var file = PcapNgStart().U32(6).U32(33).Raw(new byte[40]).ToArray();
        ExpectReadError(file, MinimalSectionHeader + MinimalInterface, "bad total length 33");
    }

    [Fact]
    public void PcapNg_trailer_mismatch()
    {
        var file = PcapNgStart().ToArray();
        var epb = new SpecBytes(false).Block(6, b => b.U32(0).U32(0).U32(0).U32(4).U32(4).Raw(1, 2, 3, 4)).ToArray();
        epb[^4] = 0x99;
        ExpectReadError([.. file, .. epb], file.Length, "trailer says total length 153, header says 36");
    }

    [Fact]
    public void PcapNg_trailer_mismatch_on_a_skipped_block()
    {
        var file = PcapNgStart().ToArray();
        var custom = new SpecBytes(false).Block(0xBAD, b => b.U32(1)).ToArray();
        custom[^4] = 0;
        ExpectReadError([.. file, .. custom], file.Length, "trailer says total length 0, header says 16");
    }

    [Fact]
    public void PcapNg_truncated_packet_block()
    {
        var file = PcapNgStart().Block(6, b => b.U32(0).U32(0).U32(0).U32(60).U32(60).Raw(SpecBytes.Frame(60, 0))).ToArray();
        ExpectReadError(file[..^20], MinimalSectionHeader + MinimalInterface, "truncated enhanced packet block");
    }

    [Fact]
    public void PcapNg_truncated_unknown_block()
    {
        var file = PcapNgStart().Block(0xBAD, b => b.Raw(new byte[100])).ToArray();
        ExpectReadError(file[..^50], MinimalSectionHeader + MinimalInterface, "truncated block of type 0x00000bad");
    }

    [Fact]
    public void PcapNg_truncated_block_header()
    {
        var file = PcapNgStart().Raw(6, 0, 0, 0, 32).ToArray();
        ExpectReadError(file, MinimalSectionHeader + MinimalInterface, "truncated block header");
    }

    [Fact]
    public void PcapNg_packet_for_an_undescribed_interface()
    {
        var file = PcapNgStart().Block(6, b => b.U32(3).U32(0).U32(0).U32(4).U32(4).Raw(1, 2, 3, 4)).ToArray();
        ExpectReadError(file, MinimalSectionHeader + MinimalInterface, "refers to interface 3, but the section describes 1");
    }

    [Fact]
    public void PcapNg_unknown_link_type()
    {
        var file = PcapNgStart(linkType: 113).ToArray();
        ExpectReadError(file, MinimalSectionHeader, "unsupported link type 113");
    }

    [Fact]
    public void PcapNg_captured_length_overruns_its_block()
    {
        var file = PcapNgStart().Block(6, b => b.U32(0).U32(0).U32(0).U32(200).U32(200).Raw(1, 2, 3, 4)).ToArray();
        ExpectReadError(file, MinimalSectionHeader + MinimalInterface, "captured length 200 overruns the block's total length 36");
    }

    [Fact]
    public void PcapNg_captured_length_beyond_interface_snaplen()
    {
        var file = PcapNgStart(snapLength: 64).Block(6, b => b.U32(0).U32(0).U32(0).U32(100).U32(100).Raw(SpecBytes.Frame(100, 0))).ToArray();
        ExpectReadError(file, MinimalSectionHeader + MinimalInterface, "exceeds the snapshot length 64");
    }

    [Fact]
    public void PcapNg_simple_packet_before_any_interface()
    {
        var file = PcapNgStart(withInterface: false).Block(3, b => b.U32(4).Raw(1, 2, 3, 4)).ToArray();
        ExpectReadError(file, MinimalSectionHeader, "before any interface description block");
    }
}
