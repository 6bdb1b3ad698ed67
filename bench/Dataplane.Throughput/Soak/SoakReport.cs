using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Dataplane.Throughput.Soak;

/// <summary>artifacts/bench/soak.md (verdicts, first/last/max, the RSS series) and soak.json (everything, every sample).</summary>
public static class SoakReport
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static void Write(SoakResult result, string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "soak.json"), JsonSerializer.Serialize(result, JsonOptions));
        File.WriteAllText(Path.Combine(directory, "soak.md"), Markdown(result));
    }

    public static string Markdown(SoakResult result)
    {
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var o = result.Options;
        double seconds = result.Samples.Count > 0 ? result.Samples[^1].Seconds : 0;
        md.AppendLine("# Soak with conservation").AppendLine();
        md.AppendLine(inv, $"Command: `bench/soak/run --seconds {o.Seconds} --updates-per-second {o.UpdatesPerSecond} --prefixes {o.Prefixes}`; {Environment.ProcessorCount} cores, .NET {Environment.Version}; setup {result.SetupSeconds:F1} s; ran {seconds:F1} s.").AppendLine();
        md.AppendLine(inv, $"**Verdict: {(result.Passed ? "PASS" : "FAIL")}**").AppendLine();
        foreach (var failure in result.Failures)
        {
            md.AppendLine(inv, $"- FAIL: {failure}");
        }

        md.AppendLine().AppendLine("## Conservation per worker (rx = tx + punted + sum of drops, exactly)").AppendLine();
        md.AppendLine("| worker | scenario | fed | rx | tx | punted | dropped | drops | Mpps | conserved |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---|---:|---|");
        foreach (var w in result.Workers)
        {
            string drops = w.Drops.Count == 0 ? "-" : string.Join(", ", w.Drops.Select(d => $"{d.Key} {d.Value}"));
            double mpps = seconds > 0 ? w.Fed / seconds / 1e6 : 0;
            md.AppendLine(inv, $"| {w.Name} | {w.Scenario} | {w.Fed} | {w.Received} | {w.Transmitted} | {w.Punted} | {w.TotalDropped} | {drops} | {mpps:F2} | {(w.Conserved ? "yes" : "NO")} |");
        }

        md.AppendLine().AppendLine("## Control updates (real control socket, JSON-RPC)").AppendLine();
        md.AppendLine(inv, $"Sent {result.UpdatesSent}, acknowledged {result.UpdatesAcknowledged} ({(seconds > 0 ? result.UpdatesAcknowledged / seconds : 0):F0}/s; requested {o.UpdatesPerSecond}/s).").AppendLine();
        md.AppendLine(inv, $"Retired table memory reclaimed at {result.ReclaimPauses} once-a-second quiescent pauses ({result.ReclaimsMissed} missed: a worker not parked within 50 ms).").AppendLine();
        var m = result.Memory;
        if (m is not null)
        {
            md.AppendLine("## Memory").AppendLine();
            md.AppendLine("| | first | last | max | max 1st half | max 2nd half | bound on growth | flat |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
            md.AppendLine(inv, $"| RSS (MiB) | {Mib(m.RssFirst)} | {Mib(m.RssLast)} | {Mib(m.RssMax)} | {Mib(m.RssFirstHalfMax)} | {Mib(m.RssSecondHalfMax)} | {Mib(m.RssGrowthBoundBytes)} | {(m.RssFlat ? "yes" : "NO")} |");
            md.AppendLine(inv, $"| GC heap (MiB) | {Mib(m.HeapFirst)} | {Mib(m.HeapLast)} | {Mib(m.HeapMax)} | {Mib(m.HeapFirstHalfMax)} | {Mib(m.HeapSecondHalfMax)} | {Mib(m.HeapGrowthBoundBytes)} | {(m.HeapFlat ? "yes" : "NO")} |");
            md.AppendLine().AppendLine(inv, $"Gen2 collections: {m.Gen2FirstHalf} in the first half, {m.Gen2SecondHalf} in the second ({(m.Gen2Flat ? "not growing" : "GROWING")}).").AppendLine();
        }

        md.AppendLine("## Series (one sample per second)").AppendLine();
        md.AppendLine("| s | packets per worker | updates acked | RSS MiB | GC heap MiB | gen0 | gen1 | gen2 |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var s in result.Samples)
        {
            md.AppendLine(inv, $"| {s.Seconds:F1} | {string.Join(" / ", s.Packets)} | {s.UpdatesAcknowledged} | {Mib(s.RssBytes)} | {Mib(s.GcHeapBytes)} | {s.Gen0} | {s.Gen1} | {s.Gen2} |");
        }

        return md.ToString();
    }

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture);
}
