using Dataplane.Forwarding.Rules;

namespace Dataplane.Tests.Rules;

/// <summary>
/// The token-bucket policer on a virtual clock (deterministic, no wall time): a full burst first, then the configured
/// rate; each rate alone and both; per UE; two workers offering at once on threads sharing one bucket.
/// </summary>
public class TrafficPolicerTests
{
    private const long Frequency = 1_000_000_000; // a nanosecond clock, as Stopwatch's on Linux

    [Theory]
    [InlineData(100_000, 1000)]
    [InlineData(1_000_000, 100)]
    [InlineData(1_000, 1)]
    public void A_packet_rate_admits_its_burst_then_its_rate(long pps, long burst)
    {
        var policer = new TrafficPolicer(new TrafficRateLimit(pps, 0, burst, 0, PolicerScope.Rule), Frequency, epoch: 0, uesPerRule: 16);
        // Offered at 4x the rate for 2 s of virtual time: expected admitted = burst + rate * 2 s.
        long offeredEvery = Frequency / (pps * 4);
        long admitted = Offer(policer, 0, 2 * Frequency, offeredEvery, length: 64, ue: 0);
        long expected = burst + pps * 2;
        Assert.InRange(admitted, expected - 2, expected + 2);
    }

    [Fact]
    public void A_bit_rate_counts_bytes_and_its_burst_is_in_bytes()
    {
        // 100 Mbit/s, 1500-byte packets: 8333.3 packets/s; burst 150000 bytes = 100 packets.
        var policer = new TrafficPolicer(new TrafficRateLimit(0, 100_000_000, 0, 150_000, PolicerScope.Rule), Frequency, 0, 16);
        long admitted = Offer(policer, 0, 3 * Frequency, Frequency / 100_000, 1500, 0);
        long expected = 100 + (100_000_000L * 3 / 8 / 1500);
        Assert.InRange(admitted, expected - 2, expected + 2);
    }

    [Fact]
    public void With_both_rates_the_tighter_one_holds_and_a_refused_packet_costs_nothing()
    {
        // 1000 pps and 8 Mbit/s (= 1 MB/s): 100-byte packets are held by the packet rate, 2000-byte ones by the bit rate.
        var small = new TrafficPolicer(new TrafficRateLimit(1000, 8_000_000, 10, 20_000, PolicerScope.Rule), Frequency, 0, 16);
        Assert.InRange(Offer(small, 0, 10 * Frequency, Frequency / 20_000, 100, 0), 10_008, 10_012);
        var large = new TrafficPolicer(new TrafficRateLimit(1000, 8_000_000, 10, 20_000, PolicerScope.Rule), Frequency, 0, 16);
        Assert.InRange(Offer(large, 0, 10 * Frequency, Frequency / 20_000, 2000, 0), 5_008, 5_012);
    }

    [Fact]
    public void A_packet_the_bit_rate_refuses_gives_its_packet_token_back()
    {
        // 1000 pps, 1 MB/s with a 20000-byte burst; 20000-byte and 64-byte packets offered alternately, 2000/s each,
        // for 10 s. The large ones are held by the bytes (about 50/s); the small ones by the packets left to them:
        // the rate less the large ones let through, about 950/s. Were a large packet refused by its bytes still to
        // spend a packet token, the small ones would get about 500/s.
        var policer = new TrafficPolicer(new TrafficRateLimit(1000, 8_000_000, 10, 20_000, PolicerScope.Rule), Frequency, 0, 16);
        long small = 0, large = 0;
        for (long t = 0, i = 0; t < 10 * Frequency; t += Frequency / 4000, i++)
        {
            if (i % 2 == 0)
            {
                large += policer.Admit(t, 20_000, 0) ? 1 : 0;
            }
            else
            {
                small += policer.Admit(t, 64, 0) ? 1 : 0;
            }
        }

        Assert.InRange(large, 450, 510);
        Assert.InRange(small, 9_400, 9_600);
    }

    [Fact]
    public void Per_ue_each_ue_has_its_own_bucket_and_a_full_table_shares_the_overflow_bucket()
    {
        var policer = new TrafficPolicer(new TrafficRateLimit(100, 0, 10, 0, PolicerScope.Ue), Frequency, 0, 16);
        // 16 UEs fill the table (some may land in the overflow when their windows collide: none here, 16 slots, window 16).
        for (ulong ue = 1; ue <= 16; ue++)
        {
            Assert.Equal(10, Burst(policer, 0, ue, 20));
        }

        Assert.Equal(0, policer.UeOverflows);
        // A 17th UE while every bucket is busy: policed by the shared overflow bucket, and counted.
        Assert.Equal(10, Burst(policer, 0, 17, 20));
        Assert.Equal(0, Burst(policer, 0, 18, 20));
        Assert.Equal(40, policer.UeOverflows);
        // One second later every bucket is full again: an idle UE's slot is taken over by a newcomer.
        Assert.Equal(10, Burst(policer, Frequency, 19, 20));
        Assert.Equal(40, policer.UeOverflows);
    }

    [Fact]
    public void Two_workers_sharing_one_bucket_together_hold_the_rate()
    {
        // Two threads offer 150 packets each per step of a virtual clock (100 us: 100 tokens at 1 Mpps), all at once
        // on one bucket; the clock moves only between steps. Whatever the interleaving, the two together must be let
        // through what one bucket holds: the burst (1000), then the rate (100 per step); that is 1000 + 100 * 1999.
        const long pps = 1_000_000;
        const int steps = 2000;
        const long step = Frequency / 10_000;
        var policer = new TrafficPolicer(new TrafficRateLimit(pps, 0, 1000, 0, PolicerScope.Rule), Frequency, 0, 16);
        long now = 0;
        long admitted = 0;
        using var barrier = new Barrier(2, _ => now += step);
        void Worker()
        {
            for (int s = 0; s < steps; s++)
            {
                long at = Volatile.Read(ref now);
                for (int i = 0; i < 150; i++)
                {
                    if (policer.Admit(at, 64, 0))
                    {
                        Interlocked.Increment(ref admitted);
                    }
                }

                barrier.SignalAndWait(TimeSpan.FromSeconds(30));
            }
        }

        var threads = new[] { new Thread(Worker), new Thread(Worker) };
        Array.ForEach(threads, t => t.Start());
        Assert.All(threads, t => Assert.True(t.Join(TimeSpan.FromSeconds(60))));
        long expected = 1000 + (100 * (steps - 1));
        Assert.InRange(admitted, expected * 995 / 1000, expected * 1005 / 1000);
    }

    private static long Offer(TrafficPolicer policer, long from, long until, long every, int length, ulong ue)
    {
        long admitted = 0;
        for (long t = from; t < until; t += every)
        {
            admitted += policer.Admit(t, length, ue) ? 1 : 0;
        }

        return admitted;
    }

    private static int Burst(TrafficPolicer policer, long at, ulong ue, int count)
    {
        int admitted = 0;
        for (int i = 0; i < count; i++)
        {
            admitted += policer.Admit(at, 100, ue) ? 1 : 0;
        }

        return admitted;
    }
}
