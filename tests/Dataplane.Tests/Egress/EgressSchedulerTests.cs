using Dataplane.Forwarding.Egress;

namespace Dataplane.Tests.Egress;

/// <summary>
/// The scheduler's algorithm on a virtual clock, so every figure is exact and repeatable: guaranteed rates under a
/// best-effort flood, the spare capacity shared by weight, an idle class's rate going to the others, the port's rate
/// itself, and queue-full refusals. Expected figures are worked out by hand from the configuration (guarantee first,
/// then the rest in proportion to the weights of the classes with traffic waiting).
/// </summary>
public sealed class EgressSchedulerTests
{
    private const int Mec = 46;
    private const int Other = 10;
    private const int BestEffortDscp = 0;
    private const double Window = 1.5; // seconds measured, after 0.5 s of warm-up

    private static EgressSchedulerSettings Settings(long rate, int frameOverhead = 0, params EgressClassConfig[] classes) =>
        Settings(rate, frameOverhead, bestEffortWeight: 1, classes);

    private static EgressSchedulerSettings Settings(long rate, int frameOverhead, int bestEffortWeight, params EgressClassConfig[] classes) =>
        EgressSchedulerSettings.From(new EgressConfig
        {
            RateBitsPerSecond = rate,
            FrameOverheadBytes = frameOverhead,
            Classes = classes,
            BestEffort = new EgressBestEffortConfig { Weight = bestEffortWeight, QueuePackets = 4096 },
        }, workers: 1);

    private static EgressClassConfig MecClass(long guarantee, int weight = 3) =>
        new() { Name = "mec", Dscp = [Mec, 34], GuaranteedBitsPerSecond = guarantee, Weight = weight, QueuePackets = 1024 };

    private static void AssertNear(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(actual - expected) <= expected * tolerance,
            $"{what}: {actual / 1e6:F2} Mbit/s, expected {expected / 1e6:F2} Mbit/s within {tolerance:P1}");

    private static EgressSimulation Run(EgressSchedulerSettings settings, params EgressOffer[] offers)
    {
        var simulation = new EgressSimulation(settings);
        simulation.Run(offers, 0.5 + Window, measureFrom: 0.5);
        return simulation;
    }

    // Weights 1 and 9 would give mec 100 of its 300 Mbit/s by round robin alone: only the guarantee gets it there.
    [Theory]
    [InlineData(1500, 1500, 3, 1)]
    [InlineData(1500, 1500, 1, 9)]
    [InlineData(200, 1500, 1, 9)]
    [InlineData(1500, 64, 1, 9)]
    public void The_guaranteed_class_gets_its_guarantee_while_best_effort_floods_at_three_times_the_rate(int mecFrame, int bestEffortFrame, int mecWeight, int bestEffortWeight)
    {
        using var simulation = Run(Settings(1_000_000_000, 0, bestEffortWeight, MecClass(300_000_000, mecWeight)),
            new EgressOffer(Mec, 300_000_000, mecFrame),
            new EgressOffer(BestEffortDscp, 3_000_000_000, bestEffortFrame));

        double mec = simulation.Rate(Mec, Window);
        double bestEffort = simulation.Rate(BestEffortDscp, Window);
        Assert.True(mec >= 0.99 * 300_000_000, $"mec got {mec / 1e6:F2} Mbit/s of its 300 guaranteed");
        AssertNear(700_000_000, bestEffort, 0.01, "best effort (the rest of the port)");
        Assert.True(mec + bestEffort <= 1_000_000_000 * 1.001, $"the port sent {(mec + bestEffort) / 1e6:F2} Mbit/s, over its 1000");
        Assert.Equal(0, simulation.Refused[Mec]);
        Assert.True(simulation.Refused[BestEffortDscp] > 0, "best effort at three times the rate must overflow its queue");
        Assert.True(simulation.Scheduler.Classes[1].Drops == simulation.Refused[BestEffortDscp], "the class counts its queue-full drops");
    }

    [Theory]
    [InlineData(3, 1, 1500, 1500)]
    [InlineData(3, 1, 1500, 100)]
    [InlineData(1, 4, 64, 1500)]
    [InlineData(7, 2, 900, 333)]
    public void Without_guarantees_two_flooding_classes_share_the_port_by_weight(int weight, int bestEffortWeight, int frame, int bestEffortFrame)
    {
        var settings = EgressSchedulerSettings.From(new EgressConfig
        {
            RateBitsPerSecond = 1_000_000_000,
            Classes = [new EgressClassConfig { Name = "other", Dscp = [Other], Weight = weight, QueuePackets = 1024 }],
            BestEffort = new EgressBestEffortConfig { Weight = bestEffortWeight, QueuePackets = 1024 },
        }, workers: 1);
        using var simulation = Run(settings,
            new EgressOffer(Other, 2_000_000_000, frame),
            new EgressOffer(BestEffortDscp, 2_000_000_000, bestEffortFrame));

        double share = (double)weight / (weight + bestEffortWeight);
        AssertNear(1e9 * share, simulation.Rate(Other, Window), 0.02, $"the class of weight {weight}");
        AssertNear(1e9 * (1 - share), simulation.Rate(BestEffortDscp, Window), 0.02, $"best effort of weight {bestEffortWeight}");
    }

    [Fact]
    public void A_flooding_guaranteed_class_gets_its_guarantee_plus_its_weighted_share_of_the_rest()
    {
        // 300 guaranteed, then the 700 left shared 3:1 with best effort: 300 + 525 = 825 and 175.
        using var simulation = Run(Settings(1_000_000_000, 0, MecClass(300_000_000, weight: 3)),
            new EgressOffer(Mec, 2_000_000_000, 1500),
            new EgressOffer(BestEffortDscp, 2_000_000_000, 1500));

        AssertNear(825_000_000, simulation.Rate(Mec, Window), 0.02, "mec");
        AssertNear(175_000_000, simulation.Rate(BestEffortDscp, Window), 0.02, "best effort");
    }

    [Fact]
    public void Three_classes_share_the_spare_capacity_in_proportion_to_their_weights()
    {
        // 1 Gbit/s; video 200 guaranteed weight 1, other weight 2 no guarantee, best effort weight 1: 800 shared 1:2:1.
        var settings = EgressSchedulerSettings.From(new EgressConfig
        {
            RateBitsPerSecond = 1_000_000_000,
            Classes =
            [
                new EgressClassConfig { Name = "video", Dscp = [Mec], GuaranteedBitsPerSecond = 200_000_000, Weight = 1, QueuePackets = 1024 },
                new EgressClassConfig { Name = "other", Dscp = [Other], Weight = 2, QueuePackets = 1024 },
            ],
            BestEffort = new EgressBestEffortConfig { Weight = 1, QueuePackets = 1024 },
        }, workers: 1);
        using var simulation = Run(settings,
            new EgressOffer(Mec, 1_500_000_000, 1200),
            new EgressOffer(Other, 1_500_000_000, 700),
            new EgressOffer(BestEffortDscp, 1_500_000_000, 1500));

        AssertNear(400_000_000, simulation.Rate(Mec, Window), 0.02, "video: 200 + 800/4");
        AssertNear(400_000_000, simulation.Rate(Other, Window), 0.02, "other: 800 x 2/4");
        AssertNear(200_000_000, simulation.Rate(BestEffortDscp, Window), 0.02, "best effort: 800/4");
    }

    [Fact]
    public void An_idle_class_leaves_its_guarantee_to_the_others()
    {
        using var idle = Run(Settings(1_000_000_000, 0, MecClass(300_000_000)),
            new EgressOffer(BestEffortDscp, 3_000_000_000, 1500));
        Assert.True(idle.Rate(BestEffortDscp, Window) >= 0.99e9, $"best effort alone got {idle.Rate(BestEffortDscp, Window) / 1e6:F2} of 1000 Mbit/s");

        using var light = Run(Settings(1_000_000_000, 0, MecClass(300_000_000)),
            new EgressOffer(Mec, 100_000_000, 1500),
            new EgressOffer(BestEffortDscp, 3_000_000_000, 1500));
        AssertNear(100_000_000, light.Rate(Mec, Window), 0.01, "mec, offering a third of its guarantee, gets all it offers");
        AssertNear(900_000_000, light.Rate(BestEffortDscp, Window), 0.01, "best effort takes the unused guarantee");
    }

    [Theory]
    [InlineData(1_000_000_000, 0, 1500)]
    [InlineData(1_000_000_000, 24, 1500)]
    [InlineData(10_000_000, 0, 1500)]
    [InlineData(10_000_000_000, 24, 64)]
    public void The_port_sends_at_its_rate_counting_the_configured_overhead_per_frame(long rate, int overhead, int frame)
    {
        using var simulation = Run(Settings(rate, overhead),
            new EgressOffer(BestEffortDscp, rate * 3, frame));

        double expected = rate * (double)frame / (frame + overhead);
        AssertNear(expected, simulation.Rate(BestEffortDscp, Window), 0.01, "frames of best effort alone");
    }

    [Fact]
    public void A_full_class_queue_refuses_and_counts_while_the_other_classes_still_queue()
    {
        var settings = EgressSchedulerSettings.From(new EgressConfig
        {
            RateBitsPerSecond = 1_000_000,
            Classes = [new EgressClassConfig { Name = "mec", Dscp = [Mec], GuaranteedBitsPerSecond = 500_000, QueuePackets = 16 }],
            BestEffort = new EgressBestEffortConfig { QueuePackets = 8 },
        }, workers: 1);
        using var simulation = new EgressSimulation(settings);
        for (int i = 0; i < 20; i++)
        {
            simulation.Offer(Mec, 100);
        }

        for (int i = 0; i < 5; i++)
        {
            simulation.Offer(BestEffortDscp, 100);
        }

        var mec = simulation.Scheduler.Classes[0];
        var bestEffort = simulation.Scheduler.Classes[1];
        Assert.Equal(4, simulation.Refused[Mec]);
        Assert.Equal(4, mec.Drops);
        Assert.Equal(16, mec.Depth);
        Assert.Equal(0, bestEffort.Drops);
        Assert.Equal(5, bestEffort.Depth);
        Assert.Equal(21, simulation.Scheduler.Backlog);
    }

    [Fact]
    public void A_frame_larger_than_every_bucket_still_leaves_and_the_rate_holds()
    {
        var settings = EgressSchedulerSettings.From(new EgressConfig
        {
            RateBitsPerSecond = 1_000_000,
            BurstBytes = 1518,
            Classes = [new EgressClassConfig { Name = "mec", Dscp = [Mec], GuaranteedBitsPerSecond = 100_000, QueuePackets = 64 }],
            BestEffort = new EgressBestEffortConfig { QueuePackets = 64 },
        }, workers: 1);
        using var simulation = new EgressSimulation(settings, buffers: 256, frameCapacity: 9216);
        simulation.Run([new EgressOffer(Mec, 500_000, 9000), new EgressOffer(BestEffortDscp, 3_000_000, 9000)], 10.5, measureFrom: 0.5, stepNanoseconds: 100_000);

        double total = simulation.Rate(Mec, 10) + simulation.Rate(BestEffortDscp, 10);
        AssertNear(1_000_000, total, 0.02, "9000-byte frames through a 1518-byte bucket");
        Assert.True(simulation.Rate(Mec, 10) >= 0.99 * 500_000, $"mec offered 500 kbit/s and got {simulation.Rate(Mec, 10) / 1e3:F1}");
    }

    [Fact]
    public void Workers_each_shape_their_share_of_the_rates()
    {
        var settings = EgressSchedulerSettings.From(new EgressConfig
        {
            RateBitsPerSecond = 1_000_000_000,
            Classes = [MecClass(300_000_000)],
        }, workers: 4);
        Assert.Equal(250_000_000, settings.RateBitsPerSecond);
        Assert.Equal(75_000_000, settings.Classes[0].GuaranteedBitsPerSecond);
        Assert.Equal(1024, settings.Classes[0].QueuePackets);
        Assert.Equal("best-effort", settings.Classes[^1].Name);
    }
}
