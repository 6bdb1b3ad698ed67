using System.Diagnostics;
using Dataplane.Tables.Gtp;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.GtpU;

public class GtpUTunnelTableTests
{
    private static readonly IpAddress Local4 = IpAddress.Parse("192.0.2.1");
    private static readonly IpAddress Peer4 = IpAddress.Parse("192.0.2.10");
    private static readonly IpAddress Local6 = IpAddress.Parse("2001:db8:3::1");
    private static readonly IpAddress Peer6 = IpAddress.Parse("2001:db8:3::10");

    private static GtpUTunnel Tunnel(string name, IpAddress local, IpAddress peer, uint teidIn, string ue, uint instance = 0, uint teidOut = 0x200, byte? qfi = null)
    {
        var prefix = ue.Contains('/') ? EidPrefix.Parse(ue) : EidPrefix.Host(0, IpAddress.Parse(ue));
        return new GtpUTunnel(name, local, peer, teidIn, teidOut, EidPrefix.Create(instance, prefix.Address, prefix.PrefixLength), qfi);
    }

    [Fact]
    public void Finds_v4_and_v6_tunnels_by_peer_local_and_teid_only()
    {
        var table = new GtpUTunnelTable();
        var v4 = Tunnel("a", Local4, Peer4, 0x100, "10.45.0.2");
        var v6 = Tunnel("b", Local6, Peer6, 0x100, "2001:db8:45::2");
        table.AddOrReplace(v4);
        table.AddOrReplace(v6);

        var snapshot = table.Snapshot;
        Assert.True(snapshot.TryGet(new GtpUTunnelKey(Peer4, Local4, 0x100), out var found4));
        Assert.Same(v4, found4);
        Assert.True(snapshot.TryGet(new GtpUTunnelKey(Peer6, Local6, 0x100), out var found6));
        Assert.Same(v6, found6);
        Assert.False(snapshot.TryGet(new GtpUTunnelKey(Peer4, Local4, 0x101), out _));
        Assert.False(snapshot.TryGet(new GtpUTunnelKey(IpAddress.Parse("192.0.2.99"), Local4, 0x100), out _));
        Assert.False(snapshot.TryGet(new GtpUTunnelKey(Peer4, IpAddress.Parse("192.0.2.2"), 0x100), out _));
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void Replace_returns_the_old_tunnel_and_old_snapshots_keep_theirs()
    {
        var table = new GtpUTunnelTable();
        var first = Tunnel("a", Local4, Peer4, 0x100, "10.45.0.2", teidOut: 1);
        var second = Tunnel("a", Local4, Peer4, 0x100, "10.45.0.2", teidOut: 2);
        Assert.Null(table.AddOrReplace(first));
        var before = table.Snapshot;

        Assert.Same(first, table.AddOrReplace(second));

        Assert.True(before.TryGet(first.Key, out var old));
        Assert.Equal(1u, old!.TeidOut);
        Assert.True(table.Snapshot.TryGet(first.Key, out var current));
        Assert.Equal(2u, current!.TeidOut);
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Remove_takes_the_tunnel_out_of_both_indexes()
    {
        var table = new GtpUTunnelTable();
        var tunnel = Tunnel("a", Local4, Peer4, 0x100, "10.45.0.2");
        table.AddOrReplace(tunnel);

        Assert.True(table.Remove(tunnel.Key));
        Assert.False(table.Remove(tunnel.Key));
        Assert.False(table.Snapshot.TryGet(tunnel.Key, out _));
        Assert.False(table.Snapshot.TryGetByUe(0, IpAddress.Parse("10.45.0.2"), out _));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Ue_index_prefers_a_host_entry_then_the_longest_prefix_and_respects_the_instance()
    {
        var table = new GtpUTunnelTable();
        var host = Tunnel("host", Local4, Peer4, 1, "10.45.0.2");
        var wide = Tunnel("wide", Local4, Peer4, 2, "10.45.0.0/16");
        var narrow = Tunnel("narrow", Local4, Peer4, 3, "10.45.1.0/24");
        var otherInstance = Tunnel("vrf7", Local4, Peer4, 4, "10.45.0.2", instance: 7);
        var v6 = Tunnel("v6", Local6, Peer6, 5, "2001:db8:45::/64");
        table.AddOrReplaceRange([wide, host, narrow, otherInstance, v6]);
        var snapshot = table.Snapshot;

        Assert.True(snapshot.TryGetByUe(0, IpAddress.Parse("10.45.0.2"), out var a));
        Assert.Same(host, a);
        Assert.True(snapshot.TryGetByUe(0, IpAddress.Parse("10.45.1.9"), out var b));
        Assert.Same(narrow, b);
        Assert.True(snapshot.TryGetByUe(0, IpAddress.Parse("10.45.200.9"), out var c));
        Assert.Same(wide, c);
        Assert.True(snapshot.TryGetByUe(7, IpAddress.Parse("10.45.0.2"), out var d));
        Assert.Same(otherInstance, d);
        Assert.False(snapshot.TryGetByUe(7, IpAddress.Parse("10.45.0.3"), out _));
        Assert.True(snapshot.TryGetByUe(0, IpAddress.Parse("2001:db8:45::77"), out var e));
        Assert.Same(v6, e);
        Assert.False(snapshot.TryGetByUe(0, IpAddress.Parse("10.46.0.1"), out _));
    }

    /// <summary>
    /// Readers on other threads look tunnels up while a writer adds, replaces and removes them. Every tunnel a reader
    /// finds must be whole and consistent with the key it was found under (a torn entry would mix two versions), and
    /// a tunnel that is never removed must always be found. Bounded: at most 2 seconds and 20k writes.
    /// </summary>
    [Fact]
    public void Concurrent_readers_never_see_a_torn_or_missing_entry()
    {
        var table = new GtpUTunnelTable();
        var stable = Tunnel("stable", Local4, Peer4, 1, "10.45.255.1", teidOut: 1001);
        table.AddOrReplace(stable);
        using var stop = new CancellationTokenSource();
        long lookups = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();

        void Read()
        {
            long count = 0;
            while (!stop.IsCancellationRequested)
            {
                var snapshot = table.Snapshot;
                if (!snapshot.TryGet(stable.Key, out var s) || s!.TeidOut != 1001)
                {
                    failures.Enqueue("the stable tunnel went missing");
                }

                for (uint teid = 2; teid < 34; teid++)
                {
                    if (snapshot.TryGet(new GtpUTunnelKey(Peer4, Local4, teid), out var t))
                    {
                        // Writers always make TeidOut = TeidIn * 1000 + version, and the UE address encodes the TEID.
                        if (t!.TeidIn != teid || t.TeidOut / 1000 != teid || t.UePrefix.Address != UeFor(teid))
                        {
                            failures.Enqueue($"torn entry for TEID {teid}: {t}");
                        }

                        if (!snapshot.TryGetByUe(0, UeFor(teid), out var byUe) || !ReferenceEquals(byUe, t))
                        {
                            failures.Enqueue($"UE index disagrees with the key index for TEID {teid}");
                        }
                    }

                    count++;
                }
            }

            Interlocked.Add(ref lookups, count);
        }

        var readers = new[] { new Thread(Read), new Thread(Read) };
        foreach (var reader in readers)
        {
            reader.Start();
        }

        var clock = Stopwatch.StartNew();
        int writes = 0;
        for (uint version = 0; writes < 20_000 && clock.ElapsedMilliseconds < 2_000; version = (version + 1) % 1000)
        {
            uint teid = 2 + (version % 32);
            if (version % 3 == 2)
            {
                table.Remove(new GtpUTunnelKey(Peer4, Local4, teid));
            }
            else
            {
                table.AddOrReplace(new GtpUTunnel($"t{teid}", Local4, Peer4, teid, (teid * 1000) + version % 1000, EidPrefix.Host(0, UeFor(teid)), null));
            }

            writes++;
        }

        stop.Cancel();
        foreach (var reader in readers)
        {
            reader.Join();
        }

        Assert.Empty(failures);
        Assert.True(writes > 100, $"only {writes} writes");
        Assert.True(Interlocked.Read(ref lookups) > 0);
        Assert.True(table.Snapshot.TryGet(stable.Key, out _));
    }

    private static IpAddress UeFor(uint teid) => new Dataplane.Wire.Addresses.Ipv4Address(10, 45, 0, (byte)teid);
}
