using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Dataplane.Tests.Control;

/// <summary>events.subscribe: subscribers get every published event as a notification; a subscriber that never reads cannot slow publishing.</summary>
public sealed class ControlEventsTests : IDisposable
{
    private readonly ControlFixture fixture = new();

    [Fact]
    public void ASubscriberGetsEachEventAsANotificationBetweenItsReplies()
    {
        using var socket = fixture.Connect();
        ControlFixture.Send(socket, """{"jsonrpc":"2.0","id":3,"method":"events.subscribe"}""" + "\n");
        var subscribed = ControlFixture.ReadReply(socket)!;
        Assert.Equal(3, subscribed["id"]!.GetValue<int>());
        Assert.True(subscribed["result"]!["subscribed"]!.GetValue<bool>());
        WaitFor(() => fixture.Methods.Context.Events.SubscriberCount == 1);

        fixture.Methods.Context.Events.Publish("tof.tunnel", new JsonObject { ["ue"] = "10.45.0.2", ["teid"] = 512 });
        var notification = ControlFixture.ReadReply(socket)!;

        Assert.Null(notification["id"]);
        Assert.Equal("event", notification["method"]!.GetValue<string>());
        Assert.Equal("tof.tunnel", notification["params"]!["topic"]!.GetValue<string>());
        Assert.Equal(512, notification["params"]!["data"]!["teid"]!.GetValue<int>());

        // The connection still answers requests.
        ControlFixture.Send(socket, """{"jsonrpc":"2.0","id":4,"method":"localeid.list"}""" + "\n");
        Assert.Equal(4, ControlFixture.ReadReply(socket)!["id"]!.GetValue<int>());
    }

    [Fact]
    public void ASubscriberThatNeverReadsLosesEventsInsteadOfBlockingThePublisher()
    {
        using var socket = fixture.Connect();
        ControlFixture.Send(socket, """{"jsonrpc":"2.0","id":1,"method":"events.subscribe"}""" + "\n");
        Assert.NotNull(ControlFixture.ReadReply(socket));
        WaitFor(() => fixture.Methods.Context.Events.SubscriberCount == 1);

        var clock = Stopwatch.StartNew();
        var data = new JsonObject { ["padding"] = new string('x', 1000) };
        for (int i = 0; i < 20_000; i++)
        {
            fixture.Methods.Context.Events.Publish("flood", data);
        }

        Assert.True(fixture.Methods.Context.Events.Dropped > 0, "a full queue should drop");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"publishing waited for the reader ({clock.Elapsed})");
    }

    [Fact]
    public void ClosingTheConnectionEndsTheSubscription()
    {
        using (var socket = fixture.Connect())
        {
            ControlFixture.Send(socket, """{"jsonrpc":"2.0","id":1,"method":"events.subscribe"}""" + "\n");
            Assert.NotNull(ControlFixture.ReadReply(socket));
            WaitFor(() => fixture.Methods.Context.Events.SubscriberCount == 1);
        }

        WaitFor(() => fixture.Methods.Context.Events.SubscriberCount == 0);
    }

    private static void WaitFor(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition() && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(10);
        }

        Assert.True(condition());
    }

    public void Dispose() => fixture.Dispose();
}
