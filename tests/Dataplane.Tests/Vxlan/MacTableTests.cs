using Dataplane.Tables.Vxlan;

namespace Dataplane.Tests.Vxlan;

public sealed class MacTableTests
{
    private const uint Aging = 300;

    [Fact]
    public void A_learned_mac_is_found_in_its_domain_only()
    {
        var table = new MacTable(1024);
        Assert.Equal(MacLearnResult.Learned, table.Learn(0, 0x0200_0000_0001, MacTableEntry.Local(3, 1000), Aging));

        Assert.True(table.TryLookup(0, 0x0200_0000_0001, 1000, Aging, out var entry));
        Assert.False(entry.IsRemote);
        Assert.Equal(3, entry.Target);
        Assert.False(table.TryLookup(1, 0x0200_0000_0001, 1000, Aging, out _));
        Assert.False(table.TryLookup(0, 0x0200_0000_0002, 1000, Aging, out _));
    }

    [Fact]
    public void Entries_age_out_after_the_aging_time_and_refreshes_keep_them()
    {
        var table = new MacTable(64);
        table.Learn(0, 0x0200_0000_0001, MacTableEntry.Remote(2, 1000), Aging);
        Assert.True(table.TryLookup(0, 0x0200_0000_0001, 1300, Aging, out _));
        Assert.False(table.TryLookup(0, 0x0200_0000_0001, 1301, Aging, out _));

        Assert.Equal(MacLearnResult.Learned, table.Learn(0, 0x0200_0000_0001, MacTableEntry.Remote(2, 1301), Aging));
        Assert.Equal(MacLearnResult.Unchanged, table.Learn(0, 0x0200_0000_0001, MacTableEntry.Remote(2, 1301), Aging));
        Assert.Equal(MacLearnResult.Refreshed, table.Learn(0, 0x0200_0000_0001, MacTableEntry.Remote(2, 1500), Aging));
        Assert.True(table.TryLookup(0, 0x0200_0000_0001, 1800, Aging, out var entry));
        Assert.True(entry.IsRemote);
        Assert.Equal(2, entry.Target);
    }

    [Fact]
    public void A_mac_seen_elsewhere_moves()
    {
        var table = new MacTable(64);
        table.Learn(0, 0x0200_0000_0001, MacTableEntry.Local(1, 10), Aging);
        Assert.Equal(MacLearnResult.Moved, table.Learn(0, 0x0200_0000_0001, MacTableEntry.Remote(4, 11), Aging));
        Assert.True(table.TryLookup(0, 0x0200_0000_0001, 11, Aging, out var entry));
        Assert.True(entry.IsRemote);
        Assert.Equal(4, entry.Target);
    }

    [Fact]
    public void A_full_table_refuses_new_learns_until_entries_expire()
    {
        var table = new MacTable(16); // one probe window: the 17th MAC has nowhere to go
        for (ulong mac = 1; mac <= 16; mac++)
        {
            Assert.Equal(MacLearnResult.Learned, table.Learn(0, mac, MacTableEntry.Local(1, 100), Aging));
        }

        Assert.Equal(MacLearnResult.TableFull, table.Learn(0, 17, MacTableEntry.Local(1, 100), Aging));
        Assert.False(table.TryLookup(0, 17, 100, Aging, out _));
        Assert.Equal(16, table.Capacity);

        // Once the others expire, their slots are reclaimed for new MACs.
        Assert.Equal(MacLearnResult.Learned, table.Learn(0, 17, MacTableEntry.Local(1, 500), Aging));
        Assert.True(table.TryLookup(0, 17, 500, Aging, out _));
        Assert.False(table.TryLookup(0, 1, 500, Aging, out _) && table.TryLookup(0, 2, 500, Aging, out _));
    }

    [Fact]
    public async Task Concurrent_learners_and_readers_never_see_a_mac_at_a_place_it_was_not_learned()
    {
        var table = new MacTable(4096);
        const int Macs = 2000;
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        int wrong = 0;
        uint second = 0;
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                uint now = Interlocked.Increment(ref second) / 64;
                for (ulong mac = 1; mac <= Macs; mac++)
                {
                    // Each MAC only ever lives at port (mac % 7) or VTEP (mac % 5): any other place would be a torn read.
                    var entry = (mac + now) % 2 == 0 ? MacTableEntry.Local((ushort)(mac % 7), now) : MacTableEntry.Remote((ushort)(mac % 5), now);
                    table.Learn(0, mac, entry, 1);
                }
            }
        }, TestContext.Current.CancellationToken)).ToArray();
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                uint now = Volatile.Read(ref second) / 64;
                for (ulong mac = 1; mac <= Macs; mac++)
                {
                    if (table.TryLookup(0, mac, now, 1, out var entry) && entry.Target != (entry.IsRemote ? mac % 5 : mac % 7))
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
            }
        }, TestContext.Current.CancellationToken);
        await Task.WhenAll([.. writers, reader]);

        Assert.Equal(0, wrong);
        Assert.True(table.Count > 0);
    }
}
