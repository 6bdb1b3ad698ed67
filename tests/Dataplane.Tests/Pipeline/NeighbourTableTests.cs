using Dataplane.Forwarding.Routing;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Pipeline;

public class NeighbourTableTests
{
    private static readonly IpAddress Peer = IpAddress.Parse("192.0.2.9");
    private static readonly Neighbour First = new(MacAddress.Parse("02:00:00:00:00:09"), 1);
    private static readonly Neighbour Moved = new(MacAddress.Parse("02:00:00:00:00:19"), 1);

    [Fact]
    public void Learned_entries_age_out_unless_confirmed_and_static_ones_never_do()
    {
        var table = new NeighbourTable();
        var gateway = IpAddress.Parse("192.0.2.254");
        table.AddOrReplace(gateway, new Neighbour(MacAddress.Parse("02:00:00:00:00:fe"), 1));
        var binding = table.Bind(Peer);

        table.Learn(Peer, First, now: 0);
        Assert.True(binding.TryGet(out var learned));
        Assert.Equal(First, learned);
        table.Learn(Peer, First, now: 200);           // confirmed again
        Assert.Equal(0, table.Expire(now: 300, maxAge: 300));
        table.Learn(Peer, Moved, now: 250);           // the peer changed its MAC: the route follows
        Assert.True(binding.TryGet(out learned));
        Assert.Equal(Moved, learned);

        Assert.Equal(1, table.Expire(now: 550, maxAge: 300));
        Assert.False(table.TryGet(Peer, out _));
        Assert.False(binding.IsResolved);
        Assert.True(table.TryGet(gateway, out _));    // static
        Assert.Equal(0, table.LearnedCount);
    }

    [Fact]
    public void What_the_wire_says_never_overrides_a_static_entry()
    {
        var table = new NeighbourTable();
        table.AddOrReplace(Peer, First);

        table.Learn(Peer, Moved, now: 0);

        Assert.True(table.TryGet(Peer, out var neighbour));
        Assert.Equal(First, neighbour);
        Assert.Equal(0, table.Expire(now: long.MaxValue / 2, maxAge: 1));
        Assert.True(table.TryGet(Peer, out _));
    }
}
