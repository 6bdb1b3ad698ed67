using Dataplane.Forwarding.Tof.Clusters;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tof.Clusters;

/// <summary>
/// The Maglev table of a cluster: shares of slots and of flows follow the weights (chi-square over many flows of a
/// fixed set), draining instances get none, the order instances are listed in does not matter, and a change of the
/// set moves few flows that stay possible where they were (consistent hashing).
/// </summary>
public sealed class TofClusterBalancerTests
{
    private static TofApplication Instance(string address, int weight = 1, bool drain = false) => new(IpAddress.Parse(address), weight, drain);

    private static ulong Flow(int i) => TofClusterBalancer.FlowHash(0x0A2D0000u + (uint)(i >> 10), (ushort)(20000 + (i & 1023)), 443, 6);

    /// <summary>The chi-square statistic of <paramref name="counts"/> against shares proportional to <paramref name="weights"/>.</summary>
    private static double ChiSquare(int[] counts, int[] weights)
    {
        double total = counts.Sum();
        double statistic = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            double expected = total * weights[i] / weights.Sum();
            statistic += (counts[i] - expected) * (counts[i] - expected) / expected;
        }

        return statistic;
    }

    [Fact]
    public void Slots_and_flows_follow_the_weights()
    {
        int[] weights = [5, 3, 1, 1, 10, 2, 7, 1];
        var applications = weights.Select((w, i) => Instance($"10.200.0.{10 + i}", w)).ToArray();
        var balancer = TofClusterBalancer.Build(applications);

        // Slots: each instance's share of the table within 1 % of its share of the weights.
        var slots = balancer.SlotCounts(applications.Length);
        Assert.Equal(TofClusterBalancer.TableSize, slots.Sum());
        for (int i = 0; i < weights.Length; i++)
        {
            double share = (double)weights[i] / weights.Sum();
            Assert.InRange((double)slots[i] / TofClusterBalancer.TableSize, share * 0.99, share * 1.01);
        }

        // Flows: 200 000 of them (UEs x ports), chi-square with 7 degrees of freedom: 24.32 is the 0.999 quantile.
        var counts = new int[weights.Length];
        for (int i = 0; i < 200_000; i++)
        {
            counts[balancer.Pick(Flow(i))]++;
        }

        double chiSquare = ChiSquare(counts, weights);
        Assert.True(chiSquare < 24.32, $"chi-square {chiSquare:F2}: {string.Join(",", counts)}");
    }

    [Fact]
    public void Ipv6_instances_are_balanced_alike()
    {
        var balancer = TofClusterBalancer.Build([Instance("2001:db8:a::10", 3), Instance("2001:db8:a::11", 1)]);
        var counts = new int[2];
        for (int i = 0; i < 100_000; i++)
        {
            var ue = new UInt128(0x20010DB800010002, (ulong)i);
            counts[balancer.Pick(TofClusterBalancer.FlowHash(ue, (ushort)(40000 + (i & 7)), 8080, 17))]++;
        }

        Assert.True(ChiSquare(counts, [3, 1]) < 10.83, string.Join(",", counts)); // 1 degree of freedom, 0.999
    }

    [Fact]
    public void Draining_instances_get_no_flow_and_with_all_draining_none_is_picked()
    {
        var balancer = TofClusterBalancer.Build([Instance("10.200.0.10"), Instance("10.200.0.11", drain: true), Instance("10.200.0.12")]);
        Assert.Equal(0, balancer.SlotCounts(3)[1]);
        for (int i = 0; i < 10_000; i++)
        {
            Assert.NotEqual(1, balancer.Pick(Flow(i)));
        }

        var one = TofClusterBalancer.Build([Instance("10.200.0.10", drain: true), Instance("10.200.0.11")]);
        Assert.Equal(1, one.Pick(Flow(7)));
        var none = TofClusterBalancer.Build([Instance("10.200.0.10", drain: true), Instance("10.200.0.11", drain: true)]);
        Assert.True(none.IsEmpty);
        Assert.Equal(-1, none.Pick(Flow(7)));
    }

    [Fact]
    public void The_order_instances_are_listed_in_does_not_change_which_address_a_flow_gets()
    {
        var listed = Enumerable.Range(0, 16).Select(i => Instance($"10.200.0.{10 + i}", i % 4 + 1)).ToArray();
        var shuffled = listed.OrderBy(a => (a.Ip.Value * 2654435761u) % 97).ToArray();
        var first = TofClusterBalancer.Build(listed);
        var second = TofClusterBalancer.Build(shuffled);
        for (int i = 0; i < 20_000; i++)
        {
            Assert.Equal(listed[first.Pick(Flow(i))].Ip, shuffled[second.Pick(Flow(i))].Ip);
        }
    }

    [Fact]
    public void Removing_one_instance_of_eight_moves_its_flows_and_few_others()
    {
        var eight = Enumerable.Range(0, 8).Select(i => Instance($"10.200.0.{10 + i}")).ToArray();
        var seven = eight.Where(a => a.Ip != IpAddress.Parse("10.200.0.13")).ToArray();
        var before = TofClusterBalancer.Build(eight);
        var after = TofClusterBalancer.Build(seven);
        int others = 0;
        int othersMoved = 0;
        for (int i = 0; i < 100_000; i++)
        {
            var was = eight[before.Pick(Flow(i))].Ip;
            var now = seven[after.Pick(Flow(i))].Ip;
            Assert.NotEqual(IpAddress.Parse("10.200.0.13"), now);
            if (was != IpAddress.Parse("10.200.0.13"))
            {
                others++;
                othersMoved += was != now ? 1 : 0;
            }
        }

        // A modulo hash would move 7/8 of them; Maglev's paper reports a few per cent at this table size.
        Assert.True(othersMoved < others * 0.03, $"{othersMoved} of {others} flows of the other instances moved");
    }

    [Fact]
    public void More_than_64_instances_are_refused()
    {
        var many = Enumerable.Range(0, 65).Select(i => Instance($"10.200.1.{i + 1}")).ToArray();
        Assert.Throws<ArgumentException>(() => TofClusterBalancer.Build(many));
        Assert.Equal(64, TofClusterBalancer.Build(many[..64]).SlotCounts(64).Count(c => c > 0));
    }
}
