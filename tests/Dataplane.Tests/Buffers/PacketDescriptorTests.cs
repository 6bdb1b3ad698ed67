using Dataplane.Forwarding.Buffers;

namespace Dataplane.Tests.Buffers;

public class PacketDescriptorTests
{
    [Fact]
    public void Fresh_buffer_has_headroom_and_empty_frame()
    {
        using var pool = new PacketPool(4);
        var packet = default(PacketDescriptor);
        Assert.True(pool.TryAllocate(ref packet));
        Assert.Equal(PacketPool.DefaultHeadroom, packet.Headroom);
        Assert.Equal(0, packet.Length);
        Assert.True(packet.Tailroom >= PacketPool.DefaultFrameCapacity);
        pool.Free(ref packet);
    }

    [Fact]
    public void Prepend_writes_outer_header_in_headroom_without_moving_the_frame()
    {
        using var pool = new PacketPool(4);
        var packet = default(PacketDescriptor);
        Assert.True(pool.TryAllocate(ref packet));
        Assert.True(packet.TryAppend(4, out var payload));
        payload.Fill(0xAB);
        var frameStart = packet.DataOffset;

        Assert.True(packet.TryPrepend(8, out var front));
        Assert.Equal(8, front.Length);
        front.Fill(0x11);

        Assert.Equal(12, packet.Length);
        Assert.Equal(frameStart - 8, packet.DataOffset);
        Assert.Equal(new byte[] { 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0xAB, 0xAB, 0xAB, 0xAB }, packet.Data.ToArray());
        // The inner bytes stayed where they were in the buffer.
        Assert.Equal(0xAB, packet.BufferSpan[frameStart]);
        pool.Free(ref packet);
    }

    [Fact]
    public void Adjust_strips_and_trim_cuts_the_tail()
    {
        using var pool = new PacketPool(1);
        var packet = default(PacketDescriptor);
        Assert.True(pool.TryAllocate(ref packet));
        Assert.True(packet.TryAppend(10, out var bytes));
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)i;
        }

        Assert.True(packet.TryAdjust(3));
        Assert.True(packet.TryTrim(2));
        Assert.Equal(new byte[] { 3, 4, 5, 6, 7 }, packet.Data.ToArray());
        Assert.Equal(PacketPool.DefaultHeadroom + 3, packet.Headroom);
        pool.Free(ref packet);
    }

    [Fact]
    public void Limits_fail_without_changing_the_descriptor()
    {
        using var pool = new PacketPool(1, frameCapacity: 256, headroom: 128);
        var packet = default(PacketDescriptor);
        Assert.True(pool.TryAllocate(ref packet));
        Assert.True(packet.TryAppend(10, out _));

        Assert.False(packet.TryPrepend(129, out var front));
        Assert.True(front.IsEmpty);
        Assert.False(packet.TryAdjust(11));
        Assert.False(packet.TryTrim(11));
        Assert.False(packet.TryAdjust(-1));
        Assert.False(packet.TryPrepend(-1, out _));
        Assert.False(packet.TryAppend(packet.Tailroom + 1, out _));
        Assert.Equal(128, packet.DataOffset);
        Assert.Equal(10, packet.Length);

        // Exactly the headroom is fine; one more byte is not.
        Assert.True(packet.TryPrepend(128, out _));
        Assert.False(packet.TryPrepend(1, out _));
        Assert.Equal(0, packet.Headroom);
        pool.Free(ref packet);
    }

    [Fact]
    public void Attach_takes_foreign_memory_without_copy()
    {
        // Stands in for an rte_mbuf or an AF_PACKET ring frame: base + capacity + offset.
        var memory = new byte[512];
        memory[64] = 0x45;
        unsafe
        {
            fixed (byte* b = memory)
            {
                var packet = default(PacketDescriptor);
                packet.Attach(b, memory.Length, 64, 20, owner: 7);
                Assert.Equal(0x45, packet.Data[0]);
                Assert.Equal(64, packet.Headroom);
                Assert.Equal(512 - 84, packet.Tailroom);
                Assert.Equal(7, packet.Owner);
            }
        }
    }
}
