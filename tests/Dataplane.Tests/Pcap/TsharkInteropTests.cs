using Dataplane.Tests.Oracles;
using Dataplane.Ports.Pcap;

namespace Dataplane.Tests.Pcap;

/// <summary>tshark opens what we write and sees the same packets, lengths and timestamps.</summary>
public class TsharkInteropTests
{
    private const long BaseTime = 1_700_000_000_123_456_789L;

    // Lengths include one longer than the snaplen used below, to check the captured/original split.
    private static readonly int[] Lengths = [60, 1514, 42, 300, 9000];

    private static long TimeOf(int i) => BaseTime + i * 1_234_567_891L;

    [Theory]
    [InlineData(PcapTimestampPrecision.Microseconds)]
    [InlineData(PcapTimestampPrecision.Nanoseconds)]
    public void Tshark_reads_our_pcap(PcapTimestampPrecision precision)
    {
        TsharkOracle.RequireInstalled();
        using var file = new TempFile(".pcap");
        using (var writer = new PcapWriter(file.Path, CaptureLinkType.Ethernet, precision, snapLength: 2000))
        {
            for (var i = 0; i < Lengths.Length; i++)
            {
                writer.Write(SpecBytes.Frame(Lengths[i], i), TimeOf(i));
            }
        }

        var frames = TsharkOracle.Columns(file.Path, "frame.len", "frame.cap_len", "frame.time_epoch");

        Assert.Equal(Lengths.Length, frames.Length);
        for (var i = 0; i < Lengths.Length; i++)
        {
            Assert.Equal(Lengths[i], int.Parse(frames[i][0]));
            Assert.Equal(Math.Min(Lengths[i], 2000), int.Parse(frames[i][1]));
            var expected = precision == PcapTimestampPrecision.Nanoseconds ? TimeOf(i) : TimeOf(i) / 1000 * 1000;
            Assert.Equal(expected, TsharkOracle.EpochNanoseconds(frames[i][2]));
        }
    }

    [Fact]
    public void Tshark_reads_our_pcapng_with_two_interfaces()
    {
        TsharkOracle.RequireInstalled();
        using var file = new TempFile(".pcapng");
        using (var writer = new PcapNgWriter(file.Path))
        {
            writer.AddInterface(CaptureLinkType.Ethernet, "eth0");
            writer.AddInterface(CaptureLinkType.Raw, "tun0");
            for (var i = 0; i < Lengths.Length; i++)
            {
                writer.Write(i % 2, SpecBytes.Frame(Lengths[i], i), TimeOf(i));
            }
        }

        var frames = TsharkOracle.Columns(file.Path, "frame.len", "frame.cap_len", "frame.time_epoch", "frame.interface_id", "frame.interface_name");

        Assert.Equal(Lengths.Length, frames.Length);
        for (var i = 0; i < Lengths.Length; i++)
        {
            Assert.Equal(Lengths[i], int.Parse(frames[i][0]));
            Assert.Equal(Lengths[i], int.Parse(frames[i][1]));
            Assert.Equal(TimeOf(i), TsharkOracle.EpochNanoseconds(frames[i][2]));
            Assert.Equal(i % 2, int.Parse(frames[i][3]));
            Assert.Equal(i % 2 == 0 ? "eth0" : "tun0", frames[i][4]);
        }
    }
}
