using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dataplane.Runtime.Build;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Control.Metrics;

/// <summary>
/// /metrics of real daemons (<see cref="MetricsDaemons"/>): the exposition format by our strict reader, by promtool
/// and by the Python client's parser; values against what the process and the golden cases say; the table of
/// docs/metrics.md against the families emitted, both ways; and the Grafana dashboard and alert rules against it.
/// </summary>
public sealed partial class MetricsScrapeTests(MetricsDaemons daemons) : IClassFixture<MetricsDaemons>
{
    private const string Promtool = "/usr/bin/promtool";
    private const string DebianPython = "/usr/bin/python3";

    [Fact]
    public void Every_scrape_is_well_formed_exposition_with_help_type_valid_names_and_no_series_twice()
    {
        foreach (var (name, text) in daemons.Scrapes)
        {
            var exposition = Exposition.Parse(text);
            Assert.True(exposition.Problems.Count == 0, $"{name}:\n{string.Join('\n', exposition.Problems)}");
            Assert.True(exposition.Samples.Count > 50, $"{name}: only {exposition.Samples.Count} samples");
        }
    }

    [Fact]
    public void Promtool_check_metrics_finds_nothing_to_say()
    {
        Assert.SkipUnless(File.Exists(Promtool), $"{Promtool} is missing: scripts/setup.sh installs Debian's prometheus package");
        foreach (var (name, text) in daemons.Scrapes)
        {
            var (exit, output) = Run(Promtool, text, "check", "metrics");
            Assert.True(exit == 0 && output.Trim().Length == 0, $"{name}: promtool check metrics exit {exit}:\n{output}");
        }
    }

    [Fact]
    public void The_python_client_parser_reads_every_scrape_with_our_families_and_types()
    {
        const string Script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            print(json.dumps([[f.name, f.type, [s.name for s in f.samples]] for f in text_string_to_metric_families(sys.stdin.read())]))
            """;
        Assert.SkipUnless(File.Exists(DebianPython) && Run(DebianPython, "", "-c", "import prometheus_client").Exit == 0,
            "the Python Prometheus client is missing: scripts/setup.sh installs python3-prometheus-client");
        foreach (var (name, text) in daemons.Scrapes)
        {
            var (exit, output) = Run(DebianPython, text, "-c", Script);
            Assert.True(exit == 0, $"{name}: the Python parser refused the scrape:\n{output}");
            var ours = Exposition.Parse(text);
            var parsed = JsonNode.Parse(output)!.AsArray();
            Assert.Equal(ours.Types.Count, parsed.Count);
            foreach (var family in parsed)
            {
                // The parser names a counter family without its _total, and its samples with it.
                string familyName = family![0]!.GetValue<string>(), type = family[1]!.GetValue<string>();
                string ourName = type == "counter" ? familyName + "_total" : familyName;
                Assert.True(ours.Types.TryGetValue(ourName, out string? ourType), $"{name}: the parser found {ourName}, we did not");
                Assert.Equal(ourType, type);
                Assert.All(family[2]!.AsArray(), sample => Assert.Equal(ourName, sample!.GetValue<string>()));
            }
        }
    }

    [Fact]
    public void Build_info_says_the_version_and_commit_of_this_build()
    {
        var exposition = Exposition.Parse(daemons.LispScrape);
        var series = Assert.Single(exposition.Samples, s => s.Key.StartsWith("dataplane_build_info{", StringComparison.Ordinal));
        Assert.Equal(1, series.Value);
        string version = XmlElement(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Directory.Build.props")), "VersionPrefix");
        Assert.Contains($"version=\"{version}\"", series.Key, StringComparison.Ordinal);
        Assert.Matches("commit=\"([0-9a-f]{40}|unknown)\"", series.Key);
        Assert.Contains($"commit=\"{BuildInfo.Commit}\"", series.Key, StringComparison.Ordinal);
        Assert.Contains("runtime=\".NET 10.", series.Key, StringComparison.Ordinal);
    }

    [Fact]
    public void Process_figures_agree_with_what_proc_says_about_the_daemon()
    {
        int pid = daemons.Lisp.ProcessId;
        string text = daemons.Lisp.ScrapeWhen(_ => true);
        long rssFromProc = StatusKilobytes(pid, "VmRSS") * 1024;
        int fdsFromProc = Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;
        var exposition = Exposition.Parse(text);

        Assert.InRange(exposition["process_resident_memory_bytes"], rssFromProc * 0.8, rssFromProc * 1.25);
        Assert.InRange(exposition["process_open_fds"], fdsFromProc - 8, fdsFromProc + 8);
        double started = exposition["process_start_time_seconds"];
        double now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        Assert.InRange(started, now - 600, now);
        Assert.InRange(exposition["process_cpu_seconds_total"], 0.01, Environment.ProcessorCount * (now - started) + 1);
        Assert.True(exposition["dotnet_gc_allocated_bytes_total"] > 0);
        Assert.True(exposition["dotnet_thread_pool_threads"] >= 1);
        Assert.True(exposition["process_max_fds"] >= exposition["process_open_fds"]);
    }

    [Fact]
    public void Worker_load_map_cache_states_rlocs_and_pools_describe_what_the_daemon_did()
    {
        var lisp = Exposition.Parse(daemons.LispScrape);

        // The worker read 13 packets from the capture and the control plane's probes and echoes: busy rounds happened,
        // fewer than rounds, and took at most the time the process has lived (one round in 16 is timed, so a daemon
        // this idle may not have timed a busy one yet: WorkerLoadTests checks the sampling).
        Assert.True(lisp["dataplane_worker_busy_polls_total{worker=\"0\"}"] >= 1);
        Assert.True(lisp["dataplane_worker_busy_polls_total{worker=\"0\"}"] < lisp["dataplane_worker_polls_total{worker=\"0\"}"]);
        Assert.True(lisp["dataplane_worker_busy_polls_total{worker=\"0\"}"] <= lisp["dataplane_packets_received_total{worker=\"0\"}"]);
        double lived = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 - lisp["process_start_time_seconds"];
        Assert.InRange(lisp["dataplane_worker_busy_seconds_total{worker=\"0\"}"], 0, lived);

        // The golden configuration has 7 entries: 4 with locators, 3 negative (drop, native-forward, send-map-request).
        Assert.Equal(7, lisp["dataplane_mapcache_entries"]);
        Assert.Equal(4, lisp["dataplane_mapcache_entries_by_state{state=\"complete\"}"]);
        Assert.Equal(3, lisp["dataplane_mapcache_entries_by_state{state=\"negative\"}"]);

        // Nobody answers the probes: every remote locator is probed, one series each, and none other.
        var probed = lisp.Samples.Keys.Where(s => s.StartsWith("dataplane_lisp_rloc_probes_sent_total{", StringComparison.Ordinal))
            .Select(s => RlocLabel().Match(s).Groups[1].Value).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(MetricsDaemons.GoldenRemoteRlocs, probed);
        Assert.All(MetricsDaemons.GoldenRemoteRlocs, rloc => Assert.True(lisp[$"dataplane_lisp_rloc_probes_sent_total{{rloc=\"{rloc}\"}}"] >= 1));
        Assert.DoesNotContain(lisp.Samples.Keys, s => s.StartsWith("dataplane_lisp_rloc_rtt_seconds{", StringComparison.Ordinal));
        Assert.Equal(-1, lisp["dataplane_gtpu_peer_up{local=\"192.0.2.1\",peer=\"192.0.2.10\"}"]);

        // The pools: one copy pool per capture port and the injection port, one replica pool per worker; none over.
        string[] pools = [.. lisp.Samples.Keys.Where(s => s.StartsWith("dataplane_buffer_pool_capacity{", StringComparison.Ordinal))
            .Select(s => PoolLabel().Match(s).Groups[1].Value).Order(StringComparer.Ordinal)];
        Assert.Equal(["control-inject", "eid-side", "replicas-worker-0", "rloc-side"], pools);
        Assert.All(pools, pool => Assert.InRange(lisp[$"dataplane_buffer_pool_in_use{{pool=\"{pool}\"}}"], 0, lisp[$"dataplane_buffer_pool_capacity{{pool=\"{pool}\"}}"]));

        // Conservation per worker, the daemon being idle between rounds by now.
        double received = lisp["dataplane_packets_received_total{worker=\"0\"}"] + lisp["dataplane_packets_emitted_total{worker=\"0\"}"];
        double drops = lisp.Samples.Where(s => s.Key.StartsWith("dataplane_drops_total{", StringComparison.Ordinal)).Sum(s => s.Value);
        Assert.Equal(received, lisp["dataplane_packets_transmitted_total{worker=\"0\"}"] + lisp["dataplane_packets_punted_total{worker=\"0\"}"] + drops);
    }

    [Fact]
    public void The_documented_families_are_exactly_the_emitted_ones_each_present_where_the_table_says()
    {
        var table = DocumentedFamilies();
        var lisp = Exposition.Parse(daemons.LispScrape);
        var tof = Exposition.Parse(daemons.TofScrape);
        var emitted = lisp.Types.Keys.Union(tof.Types.Keys, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);

        Assert.Empty(emitted.Except(table.Keys).Order(StringComparer.Ordinal)); // emitted, not documented
        Assert.Empty(table.Keys.Except(emitted).Order(StringComparer.Ordinal)); // documented, not emitted
        foreach (var (name, row) in table)
        {
            Assert.True(lisp.Types.GetValueOrDefault(name, row.Type) == row.Type && tof.Types.GetValueOrDefault(name, row.Type) == row.Type,
                $"{name} is documented as a {row.Type}");
            if (row.PresentWhen == "always")
            {
                Assert.True(lisp.Types.ContainsKey(name) && tof.Types.ContainsKey(name), $"{name} is documented as always present");
            }
            else if (name.StartsWith("dataplane_traffic_rule_", StringComparison.Ordinal))
            {
                Assert.True(tof.Types.ContainsKey(name) && !lisp.Types.ContainsKey(name), $"{name}: only once a rule exists (the TOF daemon has one)");
            }
            else if (name.StartsWith("dataplane_tof_", StringComparison.Ordinal))
            {
                Assert.True(tof.Types.ContainsKey(name) && !lisp.Types.ContainsKey(name), $"{name}: only with role tof");
            }
            else
            {
                Assert.True(lisp.Types.ContainsKey(name) && !tof.Types.ContainsKey(name), $"{name}: only with its feature ({row.PresentWhen})");
            }
        }
    }

    [Fact]
    public void The_dashboard_and_the_alert_rules_use_only_documented_metrics_and_cover_what_an_operator_watches()
    {
        var documented = DocumentedFamilies().Keys.ToHashSet(StringComparer.Ordinal);
        string dashboardPath = Path.Combine(RepositoryPaths.Root, "docs", "grafana", "dataplane.json");
        string alertsPath = Path.Combine(RepositoryPaths.Root, "docs", "prometheus", "alerts.yml");

        var dashboardExpressions = new List<string>();
        CollectExpressions(JsonNode.Parse(File.ReadAllText(dashboardPath))!, dashboardExpressions);
        Assert.True(dashboardExpressions.Count >= 12, $"only {dashboardExpressions.Count} queries in the dashboard");
        var dashboardMetrics = MetricNames(dashboardExpressions);
        Assert.Empty(dashboardMetrics.Except(documented));
        Assert.Superset(new HashSet<string>(StringComparer.Ordinal)
        {
            "dataplane_packets_received_total", "dataplane_packets_transmitted_total", "dataplane_drops_total",
            "dataplane_worker_busy_seconds_total", "dataplane_punt_queue_depth", "dataplane_mapcache_entries_by_state",
            "dataplane_lisp_rloc_up", "dataplane_lisp_rloc_rtt_seconds", "dotnet_gc_allocated_bytes_total",
            "dotnet_gc_collections_total", "dataplane_buffer_pool_in_use",
        }, dashboardMetrics);

        Assert.SkipUnless(File.Exists(DebianPython) && Run(DebianPython, "", "-c", "import yaml").Exit == 0,
            "python3-yaml is missing (scripts/setup.sh installs it with python3-scapy)");
        var (exit, json) = Run(DebianPython, File.ReadAllText(alertsPath), "-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))");
        Assert.True(exit == 0, json);
        var rules = JsonNode.Parse(json)!["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray())
            .ToDictionary(r => r!["alert"]!.GetValue<string>(), r => r!["expr"]!.GetValue<string>(), StringComparer.Ordinal);
        Assert.Empty(MetricNames(rules.Values).Except(documented));
        Assert.Matches(@"^up\{job=""dataplane""\} == 0$", rules["DataplaneDown"].Trim());
        Assert.Contains("dataplane_worker_busy_seconds_total", rules["DataplaneWorkerSaturated"], StringComparison.Ordinal);
        Assert.Contains("0.9", rules["DataplaneWorkerSaturated"], StringComparison.Ordinal);
        Assert.Contains("dataplane_drops_total", rules["DataplaneDropsRising"], StringComparison.Ordinal);
        Assert.Contains("dataplane_lisp_rloc_up == 0", rules["DataplaneRlocDown"], StringComparison.Ordinal);
        Assert.Contains("dataplane_punt_queue_capacity", rules["DataplanePuntQueueNearFull"], StringComparison.Ordinal);
        Assert.Contains("dataplane_buffer_pool_capacity", rules["DataplaneBufferPoolNearEmpty"], StringComparison.Ordinal);
        foreach (string family in new[] { "received", "emitted", "transmitted", "punted" })
        {
            Assert.Contains($"dataplane_packets_{family}_total", rules["DataplaneConservationGap"], StringComparison.Ordinal);
        }

        if (File.Exists(Promtool))
        {
            var (checkExit, output) = Run(Promtool, "", "check", "rules", alertsPath);
            Assert.True(checkExit == 0, output);
            Assert.Contains($"SUCCESS: {rules.Count} rules found", output, StringComparison.Ordinal);
        }
    }

    /// <summary>The table of docs/metrics.md: name -> (type, present when).</summary>
    private static Dictionary<string, (string Type, string PresentWhen)> DocumentedFamilies()
    {
        var table = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(Path.Combine(RepositoryPaths.Root, "docs", "metrics.md")))
        {
            if (TableRow().Match(line) is { Success: true } row)
            {
                string[] cells = line.Split('|');
                Assert.True(table.TryAdd(row.Groups[1].Value, (cells[2].Trim(), cells[^2].Trim())), $"{row.Groups[1].Value} is in the table twice");
            }
        }

        Assert.True(table.Count > 40, $"only {table.Count} rows read from docs/metrics.md");
        return table;
    }

    private static void CollectExpressions(JsonNode node, List<string> expressions)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key == "expr" && value is JsonValue expr)
                    {
                        expressions.Add(expr.GetValue<string>());
                    }
                    else if (value is not null)
                    {
                        CollectExpressions(value, expressions);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        CollectExpressions(item, expressions);
                    }
                }

                break;
        }
    }

    /// <summary>The metric names an expression reads: identifiers of our three namespaces (functions, labels and keywords are not).</summary>
    private static HashSet<string> MetricNames(IEnumerable<string> expressions) =>
        expressions.SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);

    private static long StatusKilobytes(int pid, string field)
    {
        string line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    private static string XmlElement(string xml, string element) =>
        Regex.Match(xml, $"<{element}>([^<]+)</{element}>").Groups[1].Value;

    private static (int Exit, string Output) Run(string program, string input, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(60_000), $"{program} did not finish within 60 s");
        return (process.ExitCode, output.Result + error.Result);
    }

    [GeneratedRegex(@"^\| `([a-z_:][a-z0-9_:]*)` \|")]
    private static partial Regex TableRow();

    [GeneratedRegex(@"\b(dataplane|dotnet|process)_[a-z0-9_]+\b")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"rloc=""([^""]+)""")]
    private static partial Regex RlocLabel();

    [GeneratedRegex(@"pool=""([^""]+)""")]
    private static partial Regex PoolLabel();
}
