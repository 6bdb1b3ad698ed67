using Dataplane.Forwarding.Routing;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Pipeline;

/// <summary>FibInstance (the per-batch view the stages hold) must resolve exactly as Fib.TryResolve does.</summary>
public class FibInstanceTests
{
    private static readonly PortTable Ports = new([
        new PortInfo(0, "lan", MacAddress.Parse("02:00:00:00:00:01"), 1500, 0, []),
        new PortInfo(1, "wan", MacAddress.Parse("02:00:00:00:00:02"), 1400, 0, []),
    ]);

    [Theory]
    [InlineData(0u, "198.51.100.1")]
    [InlineData(0u, "10.0.0.7")]
    [InlineData(0u, "10.0.0.8")]
    [InlineData(7u, "10.0.0.7")]
    [InlineData(0u, "2001:db8:1::1")]
    [InlineData(0u, "2001:db8::5")]
    [InlineData(3u, "2001:db8::5")]
    public void Resolves_like_the_fib(uint instanceId, string destinationText)
    {
        var neighbours = new NeighbourTable();
        var fib = new Fib(neighbours);
        neighbours.AddOrReplace(IpAddress.Parse("192.0.2.254"), new Neighbour(MacAddress.Parse("02:00:00:00:00:fe"), 1));
        neighbours.AddOrReplace(IpAddress.Parse("10.0.0.7"), new Neighbour(MacAddress.Parse("02:00:00:00:00:07"), 0));
        neighbours.AddOrReplace(IpAddress.Parse("2001:db8::5"), new Neighbour(MacAddress.Parse("02:00:00:00:00:05"), 0));
        fib.AddOrReplace(new Route(EidPrefix.Parse("0.0.0.0/0"), IpAddress.Parse("192.0.2.254"), 1));
        fib.AddOrReplace(new Route(EidPrefix.Parse("10.0.0.0/24"), null, 0));
        fib.AddOrReplace(new Route(EidPrefix.Parse("2001:db8::/64"), null, 0));
        var destination = IpAddress.Parse(destinationText);

        var expected = fib.TryResolve(instanceId, destination, neighbours.Snapshot, Ports, out var expectedAdjacency);
        var view = fib.Instance(instanceId);
        var actual = view.TryResolve(destination, neighbours.Snapshot, Ports, out var adjacency);

        Assert.True(view.IsValid);
        Assert.Equal(instanceId, view.InstanceId);
        Assert.Equal(expected, actual);
        Assert.Equal(expectedAdjacency, adjacency);
        if (destination.IsV4)
        {
            Assert.Equal(expected, view.TryResolve(destination.AsV4(), neighbours.Snapshot, Ports, out var v4Adjacency));
            Assert.Equal(expectedAdjacency, v4Adjacency);
        }
    }

    [Fact]
    public void A_route_added_after_the_view_was_taken_is_found_when_its_table_existed()
    {
        var neighbours = new NeighbourTable();
        var fib = new Fib(neighbours);
        neighbours.AddOrReplace(IpAddress.Parse("10.1.0.9"), new Neighbour(MacAddress.Parse("02:00:00:00:00:09"), 0));
        fib.AddOrReplace(new Route(EidPrefix.Parse("10.0.0.0/24"), null, 0));
        var view = fib.Instance(0);

        fib.AddOrReplace(new Route(EidPrefix.Parse("10.1.0.0/24"), null, 0));

        Assert.Equal(ResolveResult.Resolved, view.TryResolve(new Ipv4Address(0x0A01_0009), neighbours.Snapshot, Ports, out var adjacency));
        Assert.Equal(MacAddress.Parse("02:00:00:00:00:09"), adjacency.DestinationMac);
    }
}
