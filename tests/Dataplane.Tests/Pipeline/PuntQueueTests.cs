using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Pipeline;

namespace Dataplane.Tests.Pipeline;

public class PuntQueueTests
{
    [Fact]
    public void Holds_at_most_its_capacity_and_returns_packets_in_order()
    {
        var queue = new PuntQueue(capacity: 3); // not a power of two: the bound is still 3
        for (int i = 0; i < 3; i++)
        {
            Assert.True(queue.TryEnqueue(new PacketDescriptor { Owner = i }));
        }

        Assert.False(queue.TryEnqueue(new PacketDescriptor { Owner = 99 }));
        Assert.Equal(3, queue.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(queue.TryDequeue(out var packet));
            Assert.Equal(i, packet.Owner);
        }

        Assert.False(queue.TryDequeue(out _));
        Assert.True(queue.TryEnqueue(new PacketDescriptor { Owner = 7 }));
    }

    [Fact]
    public async Task A_producer_and_a_consumer_on_two_threads_lose_nothing()
    {
        var queue = new PuntQueue(capacity: 64);
        const int Total = 200_000;
        var consumer = Task.Run(() =>
        {
            long expected = 0;
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (expected < Total && DateTime.UtcNow < deadline)
            {
                if (queue.TryDequeue(out var packet))
                {
                    Assert.Equal(expected++, packet.Owner);
                }
            }

            return expected;
        }, TestContext.Current.CancellationToken);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        for (int i = 0; i < Total && DateTime.UtcNow < deadline;)
        {
            if (queue.TryEnqueue(new PacketDescriptor { Owner = i }))
            {
                i++;
            }
        }

        Assert.Equal(Total, await consumer);
    }
}
