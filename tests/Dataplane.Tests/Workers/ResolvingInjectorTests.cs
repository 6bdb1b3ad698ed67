using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;
using Dataplane.Runtime.Workers;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Workers;

/// <summary>
/// A control message toward a next hop with no MAC yet is injected once more when the neighbour is learned (the
/// worker turned the first copy into the ARP request), and only then; one toward a resolved next hop is not kept.
/// </summary>
public sealed class ResolvingInjectorTests
{
    private readonly ForwardingPlane plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(InjectionPortTests.Config), new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000) });

    [Fact]
    public void A_packet_toward_an_unresolved_next_hop_is_injected_again_once_the_neighbour_is_learned()
    {
        using var port = new InjectionPort(1, queues: 1, bufferCount: 8);
        var injector = new ResolvingInjector(plane, port);

        Assert.True(injector.TryInject(InjectionPortTests.Datagram(113, 5)));
        Assert.Equal(1, injector.Pending);
        injector.OnTick(Environment.TickCount64);
        Assert.Equal(1, Queued(port)); // still unresolved: nothing injected a second time

        plane.Neighbours.Learn(new IpAddress(Ipv4Address.Parse("192.0.2.99")), new Neighbour(new MacAddress(0x0200_0000_0063UL), 0), 1);
        injector.OnTick(Environment.TickCount64);

        Assert.Equal(0, injector.Pending);
        Assert.Equal(1, injector.Resent);
        Assert.Equal(1, Queued(port));
    }

    [Fact]
    public void A_packet_toward_a_resolved_next_hop_is_not_kept()
    {
        using var port = new InjectionPort(1, queues: 1, bufferCount: 8);
        var injector = new ResolvingInjector(plane, port);

        Assert.True(injector.TryInject(InjectionPortTests.Datagram(100, 7)));

        Assert.Equal(0, injector.Pending);
        Assert.Equal(1, Queued(port));
    }

    [Fact]
    public void A_packet_whose_next_hop_never_answers_is_given_up_after_the_hold_time()
    {
        using var port = new InjectionPort(1, queues: 1, bufferCount: 8);
        var injector = new ResolvingInjector(plane, port);

        Assert.True(injector.TryInject(InjectionPortTests.Datagram(113, 5)));
        injector.OnTick(Environment.TickCount64 + ResolvingInjector.HoldMilliseconds + 1);

        Assert.Equal(0, injector.Pending);
        Assert.Equal(0, injector.Resent);
    }

    /// <summary>Takes what the port queued for worker 0 and frees it; how many.</summary>
    private static int Queued(InjectionPort port)
    {
        var batch = new PacketBatch(16);
        int count = port.Receive(0, batch);
        for (int i = 0; i < batch.Count; i++)
        {
            port.Free(ref batch[i]);
        }

        batch.Clear();
        return count;
    }
}
