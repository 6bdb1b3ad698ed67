using System.Diagnostics;
using System.Text.Json;
using Dataplane.Throughput.Soak;

namespace Dataplane.Tests.Reliability;

/// <summary>
/// The soak's CI short form (docs/reliability.md, "Soak"): 10 s at 500 updates/s over a 256K-prefix ITR map-cache
/// and a VTEP, in a child process (the Dataplane.Throughput exe copied beside the tests), so its RSS, GC heap and gen2
/// counts are its own and not those of the tests running beside it. The invariants are checked again here from
/// soak.json's raw figures, not only from the exe's verdict.
/// </summary>
public sealed class SoakTests
{
    private const int Seconds = 10;
    private const int UpdatesPerSecond = 500;

    [Fact]
    public async Task ShortSoakConservesEveryPacketAcknowledgesEveryUpdateAndStaysFlat()
    {
        string output = Directory.CreateTempSubdirectory("dp-soak-test-").FullName;
        try
        {
            var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Dataplane.Throughput"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (string argument in new[] { "soak", "--seconds", $"{Seconds}", "--updates-per-second", $"{UpdatesPerSecond}", "--prefixes", "262144", "--output", output })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken))
            {
                timeout.CancelAfter(TimeSpan.FromSeconds(180));
                try
                {
                    await process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    Assert.Fail("the soak did not end within 180 s");
                }
            }

            string log = $"{await stdout}\n{await stderr}";
            Assert.True(process.ExitCode == 0, $"soak exited {process.ExitCode}:\n{log}");

            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "soak.json")));
            var root = json.RootElement;
            var workers = root.GetProperty("Workers").EnumerateArray().ToList();
            Assert.Equal(["itr-v4", "vtep-encap"], workers.Select(w => w.GetProperty("Scenario").GetString()));
            foreach (var worker in workers)
            {
                long received = worker.GetProperty("Received").GetInt64();
                long drops = worker.GetProperty("Drops").EnumerateObject().Sum(d => d.Value.GetInt64());
                Assert.True(received > 0, "the worker forwarded nothing");
                Assert.Equal(worker.GetProperty("Fed").GetInt64(), received);
                Assert.Equal(received, worker.GetProperty("Transmitted").GetInt64() + worker.GetProperty("Punted").GetInt64() + drops);
            }

            long sent = root.GetProperty("UpdatesSent").GetInt64();
            Assert.Equal(sent, root.GetProperty("UpdatesAcknowledged").GetInt64());
            Assert.InRange(sent, Seconds * UpdatesPerSecond * 9 / 10, Seconds * UpdatesPerSecond + 256);

            var samples = root.GetProperty("Samples").EnumerateArray().ToList();
            Assert.Equal(Seconds, samples.Count);

            // The daemon's maintenance runs in the soak too: without the reclaim pauses every update cycle strands
            // an LPM group and a map-cache slot, a leak the short form is too short to show in RSS.
            Assert.InRange(root.GetProperty("ReclaimPauses").GetInt32(), Seconds - 1, Seconds);
            Assert.InRange(root.GetProperty("ReclaimsMissed").GetInt32(), 0, 1);
            int half = samples.Count / 2;
            long Max(IEnumerable<JsonElement> s, string field) => s.Max(e => e.GetProperty(field).GetInt64());
            Assert.InRange(Max(samples.Skip(half), "RssBytes") - Max(samples.Take(half), "RssBytes"), long.MinValue, SoakMemoryVerdict.DefaultGrowthBound);
            Assert.InRange(Max(samples.Skip(half), "GcHeapBytes") - Max(samples.Take(half), "GcHeapBytes"), long.MinValue, SoakMemoryVerdict.DefaultGrowthBound);
            int gen2First = samples[half].GetProperty("Gen2").GetInt32() - samples[0].GetProperty("Gen2").GetInt32();
            int gen2Second = samples[^1].GetProperty("Gen2").GetInt32() - samples[half].GetProperty("Gen2").GetInt32();
            Assert.True(gen2Second <= gen2First + 1, $"gen2 collections grew: {gen2First} then {gen2Second}");
            Assert.Contains("Verdict: PASS", File.ReadAllText(Path.Combine(output, "soak.md")), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void MemoryVerdictCatchesAGrowingRssAndGen2()
    {
        // A leak of 8 MiB per second over 10 samples: the second half's max is 40 MiB above the first half's.
        var samples = Enumerable.Range(0, 10)
            .Select(i => new SoakSample(i + 1, [i], i, (500L << 20) + (i * (8L << 20)), 100L << 20, i, i, i))
            .ToList();
        var verdict = SoakMemoryVerdict.From(samples);
        Assert.False(verdict.RssFlat);
        Assert.True(verdict.HeapFlat);
        Assert.Equal(5, verdict.Gen2FirstHalf);
        Assert.Equal(4, verdict.Gen2SecondHalf);

        var leakingGen2 = samples.Select(s => s with { Gen2 = (int)(s.Seconds * s.Seconds) }).ToList();
        Assert.False(SoakMemoryVerdict.From(leakingGen2).Gen2Flat);
    }
}
