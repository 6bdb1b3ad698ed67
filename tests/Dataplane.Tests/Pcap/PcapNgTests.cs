using Dataplane.Forwarding.Buffers;
using Dataplane.Ports.Pcap;

namespace Dataplane.Tests.Pcap;

public class PcapNgTests
{
    private const long BaseTime = 1_700_000_000_123_456_789L;

    [Fact]
    public void Round_trips_packets_on_two_interfaces_with_nanosecond_timestamps()
    {
        var stream = new MemoryStream();
        using (var writer = new PcapNgWriter(stream, leaveOpen: true))
        {
            Assert.Equal(0, writer.AddInterface(CaptureLinkType.Ethernet, "eth0"));
            Assert.Equal(1, writer.AddInterface(CaptureLinkType.Raw, "tun0"));
            for (var i = 0; i < 6; i++)
            {
                writer.Write(i % 2, SpecBytes.Frame(40 + i, i), BaseTime + i);
            }
            // Same link type again: reuses interface 1, adds none.
            writer.Write(SpecBytes.Frame(21, 6), BaseTime + 6, CaptureLinkType.Raw);
            Assert.Equal(2, writer.InterfaceCount);
        }

        using var pool = new PacketPool(4);
        using var reader = PcapRoundTripTests.OpenBytes(stream.ToArray(), pool);
        var pcapng = Assert.IsType<PcapNgReader>(reader);
        var packet = default(PacketDescriptor);
        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(CaptureReadResult.Packet, reader.TryRead(ref packet, out var record));
            var length = i < 6 ? 40 + i : 21;
            Assert.Equal(SpecBytes.Frame(length, i), packet.Data.ToArray());
            Assert.Equal(BaseTime + i, record.Timestamp);
            var interfaceId = i < 6 ? i % 2 : 1;
            Assert.Equal(interfaceId, record.InterfaceIndex);
            Assert.Equal(interfaceId == 0 ? CaptureLinkType.Ethernet : CaptureLinkType.Raw, record.LinkType);
            Assert.Equal(interfaceId == 0 ? FrameFormat.Ethernet : FrameFormat.RawIp, packet.Format);
            Assert.Equal(length, record.OriginalLength);
            pool.Free(ref packet);
        }
        Assert.Equal(CaptureReadResult.EndOfFile, reader.TryRead(ref packet));
        Assert.Equal(2, pcapng.InterfaceCount);
        Assert.Equal(1, pcapng.SectionCount);
    }

    [Fact]
    public void Skips_unknown_and_non_packet_blocks()
    {
        var stream = new MemoryStream();
        var little = new SpecBytes(bigEndian: false);
        using (var writer = new PcapNgWriter(stream, leaveOpen: true))
        {
            writer.AddInterface(CaptureLinkType.Ethernet);
            // Name Resolution Block, a custom block, an obsolete Packet Block: none carries a
            // packet for us.
            stream.Write(little.Block(4, b => b.U16(1).U16(8).Raw(192, 0, 2, 1).Raw("h\0\0\0"u8.ToArray()).U32(0)).ToArray());
            writer.Write(SpecBytes.Frame(60, 0), BaseTime);
            stream.Write(new SpecBytes(false).Block(0x00000BAD, b => b.U32(32473).Raw(1, 2, 3, 4, 5)).ToArray());
            stream.Write(new SpecBytes(false).Block(2, b => b.U16(0).U16(0).U32(0).U32(0).U32(4).U32(4).Raw(9, 9, 9, 9)).ToArray());
            writer.Write(SpecBytes.Frame(61, 1), BaseTime + 1);
            // Interface Statistics Block at the end.
            stream.Write(new SpecBytes(false).Block(5, b => b.U32(0).U32(0).U32(0).U16(0).U16(0)).ToArray());
        }

        using var pool = new PacketPool(2);
        using var reader = PcapRoundTripTests.OpenBytes(stream.ToArray(), pool);
        var packet = default(PacketDescriptor);
        Assert.Equal(CaptureReadResult.Packet, reader.TryRead(ref packet));
        Assert.Equal(SpecBytes.Frame(60, 0), packet.Data.ToArray());
        pool.Free(ref packet);
        Assert.Equal(CaptureReadResult.Packet, reader.TryRead(ref packet));
        Assert.Equal(SpecBytes.Frame(61, 1), packet.Data.ToArray());
        pool.Free(ref packet);
        Assert.Equal(CaptureReadResult.EndOfFile, reader.TryRead(ref packet));
        Assert.Null(reader.Error);
    }

    /// <summary>
    /// A big-endian section built from draft-ietf-opsawg-pcapng, followed by a little-endian one
    /// from our writer: byte order, options, EPB and SPB, and interface numbering per section.
    /// </summary>
    [Fact]
    public void Reads_a_big_endian_section_then_a_little_endian_one()
    {
        var big = new SpecBytes(bigEndian: true)
            .Block(0x0A0D0D0A, b => b
                .U32(0x1A2B3C4D).U16(1).U16(0).U64(ulong.MaxValue) // byte-order magic, 1.0, unknown section length
                .Option(3, "test os"u8.ToArray())                   // shb_os
                .U32(0))                                            // opt_endofopt
            .Block(1, b => b                                        // IDB 0: Ethernet, milliseconds
                .U16(1).U16(0).U32(0)
                .Option(2, "eth0"u8.ToArray())
                .Option(9, 3)
                .U32(0))
            .Block(1, b => b                                        // IDB 1: raw IP, 2^-10 s, +1000 s offset
                .U16(101).U16(0).U32(128)
                .Option(9, 0x8A)
                .U16(14).U16(8).U64(1000)
                .U32(0))
            .Block(6, b => b                                        // EPB on interface 0, with a comment
                .U32(0).U32(0).U32(1_700_000_000).U32(5).U32(10)
                .Raw(1, 2, 3, 4, 5).Pad4()
                .Option(1, "hi"u8.ToArray())
                .U32(0))
            .Block(6, b => b                                        // EPB on interface 1
                .U32(1).U32(0).U32(3 * 1024 + 512).U32(2).U32(2)
                .Raw(0x45, 0x00))
            .Block(3, b => b                                        // SPB: interface 0 implied
                .U32(70).Raw(SpecBytes.Frame(70, 3)))
            .ToArray();

        var little = new MemoryStream();
        using (var writer = new PcapNgWriter(little, leaveOpen: true))
        {
            writer.Write(SpecBytes.Frame(33, 4), BaseTime, CaptureLinkType.Ipv6);
        }
        byte[] file = [.. big, .. little.ToArray()];

        using var pool = new PacketPool(2);
        using var reader = PcapRoundTripTests.OpenBytes(file, pool);
        var pcapng = Assert.IsType<PcapNgReader>(reader);
        Assert.True(pcapng.IsBigEndian);
        var packet = default(PacketDescriptor);

        Assert.Equal(CaptureReadResult.Packet, reader.TryRead(ref packet, out var r));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, packet.Data.ToArray());
        Assert.Equal(1_700_000_000L * 1_000_000, r.Timestamp); // ms ticks -> ns
        Assert.Equal((0, 5, 10L, CaptureLinkType.Ethernet), (r.InterfaceIndex, r.CapturedLength, r.OriginalLength, r.LinkType));
        pool.Free(ref packet);

        Assert.Equal(CaptureReadResult.Packet, reader.TryRead(ref packet, out r));
        Assert.Equal(new byte[] { 0x45, 0x00 }, packet.Data.ToArray());
        Assert.Equal(1003_500_000_000L, r.Timestamp); // 3.5 s in 1/1024 ticks + 1000 s offset
        Assert.Equal((1, CaptureLinkType.Raw, FrameFormat.RawIp), (r.InterfaceIndex, r.LinkType, packet.Format));
        pool.Free(ref packet);

        Assert.Equal(CaptureReadResult.Packet, reader.TryRead(ref packet, out r));
        Assert.Equal(SpecBytes.Frame(70, 3), packet.Data.ToArray());
        Assert.Equal((0, 70, 70L, 0L), (r.InterfaceIndex, r.CapturedLength, r.OriginalLength, r.Timestamp));
        pool.Free(ref packet);

        Assert.Equal(CaptureReadResult.Packet, reader.TryRead(ref packet, out r));
        Assert.Equal(SpecBytes.Frame(33, 4), packet.Data.ToArray());
        Assert.Equal((0, CaptureLinkType.Ipv6, BaseTime), (r.InterfaceIndex, r.LinkType, r.Timestamp));
        Assert.Equal(big.Length + 48 + 32, r.FileOffset); // after the LE SHB (48) and IDB (32)
        Assert.False(pcapng.IsBigEndian);
        Assert.Equal(2, pcapng.SectionCount);
        Assert.Equal(1, pcapng.InterfaceCount);
        pool.Free(ref packet);

        Assert.Equal(CaptureReadResult.EndOfFile, reader.TryRead(ref packet));
    }

    [Fact]
    public void Simple_packet_block_is_cut_to_the_interface_snaplen()
    {
        var file = new SpecBytes(bigEndian: false)
            .Block(0x0A0D0D0A, b => b.U32(0x1A2B3C4D).U16(1).U16(0).U64(ulong.MaxValue))
            .Block(1, b => b.U16(1).U16(0).U32(64))
            .Block(3, b => b.U32(1500).Raw(SpecBytes.Frame(64, 0)))
            .ToArray();
        using var pool = new PacketPool(1);
        using var reader = PcapRoundTripTests.OpenBytes(file, pool);
        var packet = default(PacketDescriptor);
        Assert.Equal(CaptureReadResult.Packet, reader.TryRead(ref packet, out var r));
        Assert.Equal((64, 1500L), (r.CapturedLength, r.OriginalLength));
        pool.Free(ref packet);
    }
}
