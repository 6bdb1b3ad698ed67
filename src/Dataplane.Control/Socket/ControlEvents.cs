using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Dataplane.Control.Socket;

/// <summary>
/// Events for control-socket clients that asked for them (<c>events.subscribe</c>): each is sent to every subscriber
/// as a JSON-RPC notification, <c>{"jsonrpc":"2.0","method":"event","params":{"topic":...,"data":...}}</c>, one per
/// line, between the replies on that connection. Publishing never waits: a subscriber that does not read gets its
/// bounded queue filled and further events for it are dropped and counted (<see cref="Dropped"/>).
/// </summary>
public sealed class ControlEvents
{
    /// <summary>Events queued per subscriber before its events are dropped.</summary>
    public const int QueueCapacity = 1024;

    private readonly Lock gate = new();
    private readonly List<Channel<string>> subscribers = [];
    private long dropped;

    /// <summary>Events not delivered because a subscriber's queue was full.</summary>
    public long Dropped => Interlocked.Read(ref dropped);

    public int SubscriberCount
    {
        get
        {
            lock (gate)
            {
                return subscribers.Count;
            }
        }
    }

    public void Publish(string topic, JsonNode data)
    {
        string line = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["method"] = "event",
            ["params"] = new JsonObject { ["topic"] = topic, ["data"] = data.DeepClone() },
        }.ToJsonString();
        lock (gate)
        {
            foreach (var subscriber in subscribers)
            {
                if (!subscriber.Writer.TryWrite(line))
                {
                    Interlocked.Increment(ref dropped);
                }
            }
        }
    }

    internal ChannelReader<string> Subscribe(out Action unsubscribe)
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        lock (gate)
        {
            subscribers.Add(channel);
        }

        unsubscribe = () =>
        {
            lock (gate)
            {
                subscribers.Remove(channel);
            }

            channel.Writer.TryComplete();
        };
        return channel.Reader;
    }
}
