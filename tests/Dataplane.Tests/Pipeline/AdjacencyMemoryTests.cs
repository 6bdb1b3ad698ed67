using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Routing;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Pipeline;

/// <summary>
/// An <see cref="UnderlayResolver"/> with an <see cref="AdjacencyMemory"/> remembers every IPv4 destination of its
/// batch, interleaved, and forgets them with the batch: a neighbour learned after the batch began is seen by the next.
/// </summary>
public class AdjacencyMemoryTests
{
    private static readonly PortTable Ports = new([
        new PortInfo(0, "lan", MacAddress.Parse("02:00:00:00:00:01"), 1500, 0, []),
        new PortInfo(1, "wan", MacAddress.Parse("02:00:00:00:00:02"), 1400, 0, []),
    ]);

    [Fact]
    public void Interleaved_destinations_resolve_as_without_memory_and_a_new_batch_sees_a_new_neighbour()
    {
        var neighbours = new NeighbourTable();
        var fib = new Fib(neighbours);
        fib.AddOrReplace(new Route(EidPrefix.Parse("10.0.0.0/24"), null, 0));
        neighbours.AddOrReplace(IpAddress.Parse("10.0.0.1"), new Neighbour(MacAddress.Parse("02:00:00:00:00:a1"), 0));
        neighbours.AddOrReplace(IpAddress.Parse("10.0.0.2"), new Neighbour(MacAddress.Parse("02:00:00:00:00:a2"), 0));
        var memory = new AdjacencyMemory(entries: 4);
        var a = new Ipv4Address(0x0A00_0001);
        var b = new Ipv4Address(0x0A00_0002);
        var c = new Ipv4Address(0x0A00_0003); // no neighbour yet

        var resolver = UnderlayResolver.For(fib.Instance(0), neighbours.Snapshot, Ports, memory);
        foreach (var destination in new[] { a, b, c, a, b, c, a })
        {
            var plain = UnderlayResolver.For(fib.Instance(0), neighbours.Snapshot, Ports);
            Assert.Equal(plain.Resolve(destination, out var expected), resolver.Resolve(destination, out var adjacency));
            Assert.Equal(expected, adjacency);
        }

        Assert.Equal(MacAddress.Parse("02:00:00:00:00:a1"), Resolve(ref resolver, a).DestinationMac);
        Assert.Equal(DropReason.NoNeighbour, resolver.Resolve(c, out _));

        neighbours.AddOrReplace(IpAddress.Parse("10.0.0.3"), new Neighbour(MacAddress.Parse("02:00:00:00:00:a3"), 0));
        Assert.Equal(DropReason.NoNeighbour, resolver.Resolve(c, out _)); // this batch still reads what it began with

        var next = UnderlayResolver.For(fib.Instance(0), neighbours.Snapshot, Ports, memory);
        Assert.Equal(DropReason.None, next.Resolve(c, out var learned));
        Assert.Equal(MacAddress.Parse("02:00:00:00:00:a3"), learned.DestinationMac);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(12)]
    public void Entries_must_be_a_power_of_two(int entries) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdjacencyMemory(entries));

    private static Adjacency Resolve(ref UnderlayResolver resolver, Ipv4Address destination)
    {
        Assert.Equal(DropReason.None, resolver.Resolve(destination, out var adjacency));
        return adjacency;
    }
}
