using Dataplane.Tables.Gtp;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.GtpU;

public class GtpUIpv4TunnelIndexTests
{
    private static GtpUTunnel Tunnel(int i, string local, string peer, uint teidIn) =>
        new($"ue{i}", IpAddress.Parse(local), IpAddress.Parse(peer), teidIn, 0x9000u + (uint)i,
            EidPrefix.Host(0, new Ipv4Address(0x0A2D_0000u + (uint)i)), null);

    private static bool Find(GtpUIpv4TunnelIndex index, string peer, string local, uint teid, out GtpUTunnel? tunnel)
    {
        uint p = Ipv4Address.Parse(peer).Value;
        uint l = Ipv4Address.Parse(local).Value;
        return index.TryGet(GtpUIpv4TunnelIndex.Hash(p, l, teid), p, l, teid, out tunnel);
    }

    [Fact]
    public void Every_ipv4_tunnel_is_found_by_peer_local_and_teid_and_nothing_else_is()
    {
        // 3000 tunnels from four peers to two local addresses, TEIDs overlapping between peers (TS 29.281: a TEID is
        // only unique per receiving endpoint), and IPv6 tunnels the index must leave out.
        string[] peers = ["192.0.2.10", "192.0.2.11", "198.51.100.7", "203.0.113.200"];
        string[] locals = ["192.0.2.1", "192.0.2.2"];
        var tunnels = new List<(GtpUTunnel Tunnel, string Peer, string Local)>();
        var table = new GtpUTunnelTable();
        for (int i = 0; i < 3000; i++)
        {
            string peer = peers[i % peers.Length];
            string local = locals[(i / peers.Length) % locals.Length];
            var tunnel = Tunnel(i, local, peer, 0x100u + (uint)(i / 8));
            tunnels.Add((tunnel, peer, local));
            table.AddOrReplace(tunnel);
        }

        table.AddOrReplace(new GtpUTunnel("v6", IpAddress.Parse("2001:db8:3::1"), IpAddress.Parse("2001:db8:3::10"), 0x100, 1,
            EidPrefix.Host(0, IpAddress.Parse("2001:db8:45::2")), null));

        var index = table.Snapshot.Ipv4;
        Assert.Equal(3000, index.Count);
        foreach (var (tunnel, peer, local) in tunnels)
        {
            Assert.True(Find(index, peer, local, tunnel.TeidIn, out var found));
            Assert.Same(tunnel, found);
        }

        Assert.False(Find(index, "192.0.2.10", "192.0.2.1", 0x100u + 3000, out _)); // a TEID nobody has
        Assert.False(Find(index, "192.0.2.99", "192.0.2.1", 0x100, out _)); // an unknown peer
        Assert.False(Find(index, "192.0.2.1", "192.0.2.10", 0x100, out _)); // peer and local swapped
        Assert.False(Find(index, "192.0.2.10", "192.0.2.3", 0x100, out _)); // not one of our addresses
    }

    [Fact]
    public void A_removed_or_replaced_tunnel_leaves_the_next_snapshots_index_and_not_the_one_a_reader_holds()
    {
        var table = new GtpUTunnelTable();
        var first = Tunnel(1, "192.0.2.1", "192.0.2.10", 0x100);
        table.AddOrReplace(first);
        var before = table.Snapshot.Ipv4;

        var moved = Tunnel(1, "192.0.2.1", "192.0.2.10", 0x200);
        table.Replace(first.Key, moved);

        Assert.True(Find(before, "192.0.2.10", "192.0.2.1", 0x100, out var old));
        Assert.Same(first, old);
        Assert.False(Find(table.Snapshot.Ipv4, "192.0.2.10", "192.0.2.1", 0x100, out _));
        Assert.True(Find(table.Snapshot.Ipv4, "192.0.2.10", "192.0.2.1", 0x200, out var current));
        Assert.Same(moved, current);

        Assert.True(table.Remove(moved.Key));
        Assert.Equal(0, table.Snapshot.Ipv4.Count);
        Assert.False(Find(table.Snapshot.Ipv4, "192.0.2.10", "192.0.2.1", 0x200, out _));
    }
}
