using Dataplane.Forwarding.Routing;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Pipeline;

public class FibTests
{
    private static readonly PortTable Ports = new([
        new PortInfo(0, "lan", MacAddress.Parse("02:00:00:00:00:01"), 1500, 0, []),
        new PortInfo(1, "wan", MacAddress.Parse("02:00:00:00:00:02"), 1400, 0, []),
    ]);

    [Fact]
    public void Longest_prefix_wins_and_gives_the_port_macs_and_mtu()
    {
        var neighbours = new NeighbourTable();
        var fib = new Fib(neighbours);
        neighbours.AddOrReplace(IpAddress.Parse("192.0.2.254"), new Neighbour(MacAddress.Parse("02:00:00:00:00:fe"), 1));
        neighbours.AddOrReplace(IpAddress.Parse("10.0.0.7"), new Neighbour(MacAddress.Parse("02:00:00:00:00:07"), 0));
        fib.AddOrReplace(new Route(EidPrefix.Parse("0.0.0.0/0"), IpAddress.Parse("192.0.2.254"), 1));
        fib.AddOrReplace(new Route(EidPrefix.Parse("10.0.0.0/24"), null, 0));

        Assert.Equal(ResolveResult.Resolved, fib.TryResolve(0, IpAddress.Parse("198.51.100.1"), neighbours.Snapshot, Ports, out var viaGateway));
        Assert.Equal(new Adjacency(1, MacAddress.Parse("02:00:00:00:00:02"), MacAddress.Parse("02:00:00:00:00:fe"), 1400), viaGateway);
        Assert.Equal(ResolveResult.Resolved, fib.TryResolve(0, IpAddress.Parse("10.0.0.7"), neighbours.Snapshot, Ports, out var connected));
        Assert.Equal(MacAddress.Parse("02:00:00:00:00:07"), connected.DestinationMac);
        Assert.Equal(ResolveResult.NoNeighbour, fib.TryResolve(0, IpAddress.Parse("10.0.0.8"), neighbours.Snapshot, Ports, out _));
        Assert.Equal(ResolveResult.NoRoute, fib.TryResolve(7, IpAddress.Parse("10.0.0.7"), neighbours.Snapshot, Ports, out _));
        Assert.Equal(ResolveResult.NoRoute, fib.TryResolve(0, IpAddress.Parse("2001:db8::1"), neighbours.Snapshot, Ports, out _));
    }

    [Fact]
    public void A_gateway_learned_after_the_route_and_then_lost_is_seen_by_the_route()
    {
        var neighbours = new NeighbourTable();
        var fib = new Fib(neighbours);
        var gateway = IpAddress.Parse("2001:db8::fe");
        fib.AddOrReplace(new Route(EidPrefix.Parse("::/0"), gateway, 1));
        var destination = IpAddress.Parse("2001:db8:1::1");

        Assert.Equal(ResolveResult.NoNeighbour, fib.TryResolve(0, destination, neighbours.Snapshot, Ports, out _));
        neighbours.AddOrReplace(gateway, new Neighbour(MacAddress.Parse("02:00:00:00:00:fe"), 1));
        Assert.Equal(ResolveResult.Resolved, fib.TryResolve(0, destination, neighbours.Snapshot, Ports, out var adjacency));
        Assert.Equal(MacAddress.Parse("02:00:00:00:00:fe"), adjacency.DestinationMac);
        neighbours.AddOrReplace(gateway, new Neighbour(MacAddress.Parse("02:00:00:00:00:fd"), 1));
        fib.TryResolve(0, destination, neighbours.Snapshot, Ports, out adjacency);
        Assert.Equal(MacAddress.Parse("02:00:00:00:00:fd"), adjacency.DestinationMac);
        Assert.True(neighbours.Remove(gateway));
        Assert.Equal(ResolveResult.NoNeighbour, fib.TryResolve(0, destination, neighbours.Snapshot, Ports, out _));
    }

    [Fact]
    public void Removing_a_route_falls_back_to_the_covering_one()
    {
        var neighbours = new NeighbourTable();
        var fib = new Fib(neighbours);
        fib.AddOrReplace(new Route(EidPrefix.Parse("10.0.0.0/8"), null, 0));
        fib.AddOrReplace(new Route(EidPrefix.Parse("10.1.0.0/16"), null, 1));

        Assert.True(fib.TryLookup(0, IpAddress.Parse("10.1.2.3"), out var specific));
        Assert.Equal(1, specific!.Port);
        Assert.True(fib.Remove(EidPrefix.Parse("10.1.0.0/16")));
        Assert.True(fib.TryLookup(0, IpAddress.Parse("10.1.2.3"), out var covering));
        Assert.Equal(0, covering!.Port);
        Assert.False(fib.Remove(EidPrefix.Parse("10.1.0.0/16")));
        Assert.Equal(1, fib.Count);
    }
}
