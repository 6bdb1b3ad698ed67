using Dataplane.Forwarding.Buffers;

namespace Dataplane.Tests.Buffers;

public class PacketBatchTests
{
    [Fact]
    public void Add_index_by_ref_and_clear()
    {
        var batch = new PacketBatch(3);
        Assert.True(batch.TryAdd(new PacketDescriptor { IngressPort = 1 }));
        Assert.True(batch.TryAdd(new PacketDescriptor { IngressPort = 2 }));
        Assert.True(batch.TryAdd(new PacketDescriptor { IngressPort = 3 }));
        Assert.True(batch.IsFull);
        Assert.False(batch.TryAdd(new PacketDescriptor { IngressPort = 4 }));

        batch[1].IngressPort = 20; // edits the stored descriptor, not a copy
        Assert.Equal(20, batch[1].IngressPort);
        Assert.Throws<ArgumentOutOfRangeException>(() => batch[3].IngressPort);

        batch.Clear();
        Assert.Equal(0, batch.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => batch[0].IngressPort);
    }

    [Fact]
    public void Capacity_is_bounded()
    {
        Assert.Equal(PacketBatch.MaxCapacity, new PacketBatch().Capacity);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PacketBatch(PacketBatch.MaxCapacity + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PacketBatch(0));
    }

    [Fact]
    public void RemoveDropped_keeps_order_and_hands_over_the_dropped()
    {
        var batch = new PacketBatch(8);
        for (ushort i = 0; i < 6; i++)
        {
            batch.TryAdd(new PacketDescriptor { IngressPort = i, DropReason = (byte)(i % 3 == 1 ? 5 : 0) });
        }
        var dropped = new PacketBatch(8);

        Assert.Equal(2, batch.RemoveDropped(dropped));

        Assert.Equal(new ushort[] { 0, 2, 3, 5 }, batch.AsSpan().ToArray().Select(p => p.IngressPort));
        Assert.Equal(new ushort[] { 1, 4 }, dropped.AsSpan().ToArray().Select(p => p.IngressPort));
        Assert.All(dropped.AsSpan().ToArray(), p => Assert.Equal(5, p.DropReason));
    }

    [Fact]
    public void RemoveDropped_without_room_changes_nothing()
    {
        var batch = new PacketBatch(4);
        batch.TryAdd(new PacketDescriptor { IngressPort = 0, DropReason = 1 });
        batch.TryAdd(new PacketDescriptor { IngressPort = 1, DropReason = 1 });
        var dropped = new PacketBatch(1);

        Assert.Throws<ArgumentException>(() => batch.RemoveDropped(dropped));
        Assert.Equal(2, batch.Count);
        Assert.Equal(0, dropped.Count);
    }
}
