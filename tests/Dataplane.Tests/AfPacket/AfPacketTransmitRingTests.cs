using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Dataplane.Forwarding.Buffers;
using Dataplane.Ports.AfPacket;
using Dataplane.Runtime.Ports;

namespace Dataplane.Tests.AfPacket;

/// <summary>
/// The AF_PACKET port's transmit ring (PACKET_TX_RING) against the real kernel: frames go out of the root namespace's
/// end of a veth pair and a plain packet socket captures them at the far end, in the test's namespace.
/// </summary>
public sealed partial class AfPacketTransmitRingTests
{
    [Fact]
    public void BurstsLargerThanTheRingWrapAroundAndEveryFrameArrivesOnceInOrder()
    {
        VethNamespace.RequireRoot();
        using var veth = new VethNamespace();
        using var pool = new PacketPool(128);
        // Eight slots (four pages of two 2 KiB slots), offered bursts of 64: every call fills the ring, and 600 frames
        // take the ring round 75 times.
        var options = new AfPacketOptions { TransmitFrameCount = 8 };
        using var port = new AfPacketPort(0, veth.HostInterface, 1, options);
        using var ports = new PortSet([port, new PoolPort(1, pool)]);
        Assert.True(port.TransmitsThroughRing);
        const int total = 600, burst = 64;
        var frames = Enumerable.Range(0, total).Select(i => TestFrames.Experimental(i, 46 + i * 37 % 1400)).ToArray();

        using var capture = NamespacePeer.StartCapture(veth, total, 30);
        var pending = new List<PacketDescriptor>();
        var offered = 0;
        var calls = 0;
        var shortCalls = 0;
        var taken = 0;
        var deadline = Stopwatch.StartNew();
        while (taken < total && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            while (pending.Count < burst && offered < total)
            {
                pending.Add(Fill(pool, frames[offered++]));
            }
            var span = pending.ToArray();
            var sent = port.Transmit(0, span, ports);
            calls++;
            Assert.InRange(sent, 0, Math.Min(span.Length, 8));
            if (sent < span.Length)
            {
                shortCalls++;
            }
            taken += sent;
            pending.RemoveRange(0, sent);
        }

        Assert.Equal(total, taken);
        Assert.Empty(pending);
        Assert.Equal(128, pool.Available);
        Assert.True(shortCalls > 0 && calls >= total / 8, $"{calls} calls, {shortCalls} took fewer than offered");
        var captured = capture.Frames();
        Assert.True(total == captured.Count, $"captured {captured.Count} of {total}: {capture.Error}");
        for (var i = 0; i < total; i++)
        {
            Assert.Equal(frames[i], captured[i]);
        }
        var statistics = port.Statistics;
        Assert.Equal(total, statistics.TransmittedPackets);
        Assert.Equal(frames.Sum(f => (long)f.Length), statistics.TransmittedBytes);
        Assert.Equal(0, statistics.TransmitErrors);
    }

    [Fact]
    public void AFrameLongerThanASlotIsRefusedAndCountedWhileTheFramesAroundItGo()
    {
        VethNamespace.RequireRoot();
        using var veth = new VethNamespace();
        // A jumbo MTU, so the slot is the limit: 2048 bytes, of which the kernel's header takes 48 and the virtio_net_hdr
        // 10, which leaves 1990 for the frame.
        veth.SetMtu(9000);
        using var pool = new PacketPool(8, frameCapacity: 4096);
        using var port = new AfPacketPort(0, veth.HostInterface, 1, new AfPacketOptions { TransmitFrameSize = 2048 });
        using var ports = new PortSet([port, new PoolPort(1, pool)]);
        byte[][] frames = [TestFrames.Experimental(1, 100), TestFrames.Experimental(2, 1990 - 14), TestFrames.Experimental(3, 1991 - 14), TestFrames.Experimental(4, 100)];
        var packets = frames.Select(f => Fill(pool, f)).ToArray();

        using var capture = NamespacePeer.StartCapture(veth, 3, 10);
        var sent = port.Transmit(0, packets, ports);

        Assert.Equal(4, sent);
        Assert.Equal(8, pool.Available);
        var captured = capture.Frames();
        Assert.True(captured.Count == 3, $"captured {captured.Count} of 3: {capture.Error}");
        Assert.Equal(frames[0], captured[0]);
        Assert.Equal(frames[1], captured[1]);
        Assert.Equal(frames[3], captured[2]);
        var statistics = port.Statistics;
        Assert.Equal(3, statistics.TransmittedPackets);
        Assert.Equal(100 + 14 + 1990 + 100 + 14, statistics.TransmittedBytes);
        Assert.Equal(1, statistics.TransmitErrors);
    }

    [Fact]
    public void ATransmitSlotTheKernelWouldRefuseIsReportedNotReplacedBySendmmsg()
    {
        VethNamespace.RequireRoot();
        using var veth = new VethNamespace();
        // TPACKET_ALIGNMENT is 16 (linux/if_packet.h); 2040 is not a multiple of it.
        var error = Assert.Throws<AfPacketException>(() => new AfPacketPort(0, veth.HostInterface, 1, new AfPacketOptions { TransmitFrameSize = 2040 }));
        Assert.Contains("TransmitFrameSize 2040", error.Message);
    }

    [Fact]
    public void FramesBeyondTheMtuAreRefusedExceptForTheRoomOfAnOptionalVlanTag()
    {
        VethNamespace.RequireRoot();
        using var veth = new VethNamespace();
        using var pool = new PacketPool(8);
        using var port = new AfPacketPort(0, veth.HostInterface, 1);
        using var ports = new PortSet([port, new PoolPort(1, pool)]);
        // MTU 1500 (veth's default): 1514 bytes untagged, 1518 with an 802.1Q tag (IEEE 802.3 / 802.1Q, without FCS).
        var largest = TestFrames.Experimental(1, 1500);
        var tooLong = TestFrames.Experimental(2, 1501);
        var tagged = WithTag(TestFrames.Experimental(3, 1500));
        var taggedTooLong = WithTag(TestFrames.Experimental(4, 1501));
        var last = TestFrames.Experimental(5, 60);
        byte[][] frames = [largest, tooLong, tagged, taggedTooLong, last];
        var packets = frames.Select(f => Fill(pool, f)).ToArray();

        using var capture = NamespacePeer.StartCapture(veth, 3, 10);
        var sent = port.Transmit(0, packets, ports);

        Assert.Equal(5, sent);
        Assert.Equal(8, pool.Available);
        var captured = capture.Frames();
        Assert.True(captured.Count == 3, $"captured {captured.Count} of 3: {capture.Error}");
        Assert.Equal(largest, captured[0]);
        // The receiving kernel moves the tag out of the frame (into packet metadata) before packet sockets see it.
        Assert.Equal(TestFrames.Experimental(3, 1500), captured[1]);
        Assert.Equal(last, captured[2]);
        var statistics = port.Statistics;
        Assert.Equal(3, statistics.TransmittedPackets);
        Assert.Equal(1514 + 1518 + 74, statistics.TransmittedBytes);
        Assert.Equal(2, statistics.TransmitErrors);
    }

    [Theory]
    [InlineData(false, 20)]
    [InlineData(true, 0)]
    public void QdiscBypassDecidesWhetherTheEgressQdiscSeesTheFrames(bool bypass, int expectedThroughQdisc)
    {
        VethNamespace.RequireRoot();
        using var veth = new VethNamespace();
        // veth has no qdisc of its own (noqueue); give it one that counts.
        VethNamespace.Command("tc", $"qdisc add dev {veth.HostInterface} root pfifo limit 1000");
        using var pool = new PacketPool(32);
        using var port = new AfPacketPort(0, veth.HostInterface, 1, new AfPacketOptions { QdiscBypass = bypass });
        using var ports = new PortSet([port, new PoolPort(1, pool)]);
        var frames = Enumerable.Range(0, 20).Select(i => TestFrames.Experimental(i)).ToArray();
        var packets = frames.Select(f => Fill(pool, f)).ToArray();

        using var capture = NamespacePeer.StartCapture(veth, frames.Length, 10);
        Assert.Equal(frames.Length, port.Transmit(0, packets, ports));
        var captured = capture.Frames();

        Assert.Equal(frames.Length, captured.Count);
        var statistics = VethNamespace.Output("tc", $"-s qdisc show dev {veth.HostInterface}");
        var match = QdiscSent().Match(statistics);
        Assert.True(match.Success, statistics);
        Assert.Equal(expectedThroughQdisc, int.Parse(match.Groups[1].Value));
    }

    [Fact]
    public void SteadyStateTransmitAllocatesNothing()
    {
        VethNamespace.RequireRoot();
        using var veth = new VethNamespace();
        using var pool = new PacketPool(64);
        using var port = new AfPacketPort(0, veth.HostInterface, 1, new AfPacketOptions { TransmitFrameCount = 64 });
        using var ports = new PortSet([port, new PoolPort(1, pool)]);
        var frame = TestFrames.Experimental(7, 200);
        var packets = new PacketDescriptor[32];
        TransmitBursts(port, ports, pool, packets, frame, 50);

        var least = long.MaxValue;
        for (var run = 0; run < 3; run++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var sent = TransmitBursts(port, ports, pool, packets, frame, 200);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(200 * packets.Length, sent);
            least = Math.Min(least, allocated);
        }

        Assert.Equal(0, least);
        Assert.Equal(64, pool.Available);
    }

    /// <summary>Bursts of one frame; what the ring does not take is freed, as the worker does. Returns the frames taken.</summary>
    private static long TransmitBursts(AfPacketPort port, PortSet ports, PacketPool pool, PacketDescriptor[] packets, byte[] frame, int bursts)
    {
        long taken = 0;
        for (var b = 0; b < bursts; b++)
        {
            if (!pool.TryAllocateBulk(packets))
            {
                throw new InvalidOperationException("the pool ran dry: buffers were not given back");
            }
            for (var i = 0; i < packets.Length; i++)
            {
                packets[i].TryAppend(frame.Length, out var room);
                frame.CopyTo(room);
                packets[i].IngressPort = 1;
            }
            var sent = port.Transmit(0, packets, ports);
            for (var i = sent; i < packets.Length; i++)
            {
                pool.Free(ref packets[i]);
            }
            taken += sent;
        }
        return taken;
    }

    private static PacketDescriptor Fill(PacketPool pool, byte[] frame)
    {
        var packet = default(PacketDescriptor);
        Assert.True(pool.TryAllocate(ref packet));
        Assert.True(packet.TryAppend(frame.Length, out var room));
        frame.CopyTo(room);
        packet.IngressPort = 1;
        return packet;
    }

    /// <summary>The frame with an 802.1Q tag (TPID 0x8100, VID 100) after its MAC addresses.</summary>
    private static byte[] WithTag(byte[] untagged)
    {
        var frame = new byte[untagged.Length + 4];
        untagged.AsSpan(0, 12).CopyTo(frame);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x8100);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), 100);
        untagged.AsSpan(12).CopyTo(frame.AsSpan(16));
        return frame;
    }

    [GeneratedRegex(@"Sent \d+ bytes (\d+) pkt")]
    private static partial Regex QdiscSent();
}
