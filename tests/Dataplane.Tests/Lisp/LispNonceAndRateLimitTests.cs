using Dataplane.Forwarding.Lisp;
using Dataplane.Tables.Time;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Lisp;

public sealed class LispNonceAndRateLimitTests
{
    [Theory]
    [InlineData(1UL)]
    [InlineData(0xDEAD_BEEF_0123_4567UL)]
    public void Replay_nonces_follow_goldenlib_replay_nonce(ulong seed)
    {
        string goldenDirectory = Path.Combine(RepositoryPaths.Root, "pcaps", "golden");
        string script = $"""
            import sys
            sys.path.insert(0, {System.Text.Json.JsonSerializer.Serialize(goldenDirectory)})
            from goldenlib import replay_nonce
            print(" ".join(str(replay_nonce(k, {seed})) for k in range(20)))
            """;
        uint[] expected = ScapyOracle.Run("-c", script).Trim().Split(' ').Select(uint.Parse).ToArray();

        var generator = new LispNonceGenerator(seed);
        uint[] actual = Enumerable.Range(0, 20).Select(_ => generator.Next()).ToArray();

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Random_nonces_fit_24_bits_and_vary_across_buffer_refills()
    {
        var generator = new LispNonceGenerator(null);
        var seen = new HashSet<uint>();
        for (int i = 0; i < 5000; i++)
        {
            uint nonce = generator.Next();
            Assert.True(nonce <= 0xFF_FFFF);
            seen.Add(nonce);
        }

        Assert.True(seen.Count > 4900, $"only {seen.Count} distinct nonces in 5000");
    }

    [Fact]
    public void Token_bucket_allows_a_one_second_burst_then_refills_with_time()
    {
        var clock = new ManualClock(1_000_000_000);
        var bucket = new TokenBucket(clock, 4);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(bucket.TryTake());
        }

        Assert.False(bucket.TryTake());
        clock.Advance(TimeSpan.FromMilliseconds(250));
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());
        clock.Advance(TimeSpan.FromSeconds(10));
        for (int i = 0; i < 4; i++)
        {
            Assert.True(bucket.TryTake());
        }

        Assert.False(bucket.TryTake()); // capped at one second's worth
        Assert.False(new TokenBucket(clock, 0).TryTake());
    }
}
