using Dataplane.Forwarding.Tof;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tof;

public class TofSlotTableTests
{
    [Fact]
    public void Adds_finds_refuses_duplicates_and_removes()
    {
        var table = new TofSlotTable<Ipv4Address, TofTunnel>(64);
        var ue = Ipv4Address.Parse("10.0.0.1");
        var first = new TofTunnel(ue);
        Assert.Equal(TofLearnResult.Added, table.TryAdd(first, out _));
        Assert.Equal(TofLearnResult.Existing, table.TryAdd(new TofTunnel(ue), out var present));
        Assert.Same(first, present);
        Assert.True(table.TryGet(ue, out var found));
        Assert.Same(first, found);
        Assert.True(table.TryRemove(first));
        Assert.False(table.TryRemove(first));
        Assert.False(table.TryGet(ue, out _));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void A_full_probe_window_refuses_the_learn_instead_of_growing()
    {
        var table = new TofSlotTable<Ipv4Address, TofTunnel>(16); // one window covers the whole table
        for (uint i = 0; i < 16; i++)
        {
            Assert.Equal(TofLearnResult.Added, table.TryAdd(new TofTunnel(new Ipv4Address(i + 1)), out _));
        }

        Assert.Equal(TofLearnResult.Full, table.TryAdd(new TofTunnel(new Ipv4Address(100)), out _));
        Assert.Equal(16, table.Count);
    }

    [Fact]
    public void Concurrent_learners_lose_nothing_they_were_told_was_added()
    {
        var table = new TofSlotTable<Ipv4Address, TofTunnel>(1 << 16);
        var added = new System.Collections.Concurrent.ConcurrentBag<TofTunnel>();
        Parallel.For(0, 4, worker =>
        {
            for (uint i = 0; i < 5000; i++)
            {
                // Workers overlap on half the keys: the table must end with each key found.
                var tunnel = new TofTunnel(new Ipv4Address(0x0A000000 + i + ((uint)worker % 2 * 2500)));
                if (table.TryAdd(tunnel, out var present) != TofLearnResult.Full)
                {
                    added.Add(present);
                }
            }
        });

        foreach (var tunnel in added)
        {
            Assert.True(table.TryGet(tunnel.UeAddress.AsV4(), out _));
        }

        Assert.Equal(7500, table.Count); // racing writers of one key leave exactly one entry
    }

    [Fact]
    public void Flow_keys_that_differ_in_any_field_are_different_flows()
    {
        var ue = Ipv4Address.Parse("10.45.0.2");
        var app = Ipv4Address.Parse("203.0.113.10");
        var key = new TofNatFlowKey(ue, 40000, app, 8080, 17);
        TofNatFlowKey[] others =
        [
            key with { Ue = Ipv4Address.Parse("10.45.0.3") },
            key with { UePort = 40001 },
            key with { Service = Ipv4Address.Parse("203.0.113.11") },
            key with { ServicePort = 8081 },
            key with { Protocol = 6 },
            new(app, 8080, ue, 40000, 17), // the same flow seen from the other end is another key
        ];

        var table = new TofSlotTable<TofNatFlowKey, TofNatFlow>(1024);
        var counters = new TofServiceCounters(1);
        var flow = new TofNatFlow(key, Ipv4Address.Parse("10.200.0.1"), counters);
        Assert.Equal(TofLearnResult.Added, table.TryAdd(flow, out _));
        Assert.True(table.TryGet(new TofNatFlowKey(ue, 40000, app, 8080, 17), out var found));
        Assert.Same(flow, found);
        Assert.Equal(key.GetHashCode(), new TofNatFlowKey(ue, 40000, app, 8080, 17).GetHashCode());
        foreach (var other in others)
        {
            Assert.NotEqual(key, other);
            Assert.False(table.TryGet(other, out _), other.ToString());
        }
    }
}
