using System.Globalization;
using Dataplane.Control;
using Dataplane.Control.Metrics;
using Dataplane.Tests.Lisp;

namespace Dataplane.Tests.Control;

/// <summary>GET /metrics on a loopback port: the Prometheus text, with the counters of a batch just processed.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_show_the_counters_of_a_processed_batch_and_the_registry()
    {
        using var harness = new LispPlaneHarness(ControlTestConfig.Config());
        using var host = ControlHost.Create(null, harness.Plane, _ => { });
        var lisp = host.Metrics.Counter("dataplane_lisp_control_events_total", "LISP control messages and refusals", "event");
        lisp.Increment("MapRequestSent");
        lisp.Add(2, "MapReplyReceived");
        harness.Process([LispTestFrames.Ipv4Udp("10.1.0.10", "10.2.0.5"), LispTestFrames.Ipv4Udp("10.1.0.10", "10.2.0.6"), LispTestFrames.Ipv4Udp("10.1.0.10", "10.4.0.6")]);
        using var server = new MetricsServer("127.0.0.1", 0, host.RenderMetrics);
        server.Start();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Endpoint.Port}") };

        var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var missing = await client.GetAsync(new Uri("/other", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
        var samples = Parse(text);
        Assert.Equal(3, samples["dataplane_packets_received_total{worker=\"0\"}"]);
        Assert.Equal(2, samples["dataplane_events_total{event=\"LispEncapsulated\",worker=\"0\"}"]);
        Assert.Equal(1, samples.Where(s => s.Key.StartsWith("dataplane_drops_total{", StringComparison.Ordinal)).Sum(s => s.Value));
        Assert.Equal(samples["dataplane_packets_received_total{worker=\"0\"}"],
            samples["dataplane_packets_transmitted_total{worker=\"0\"}"] + samples["dataplane_packets_punted_total{worker=\"0\"}"]
            + samples.Where(s => s.Key.StartsWith("dataplane_drops_total{", StringComparison.Ordinal)).Sum(s => s.Value));
        Assert.Equal(7, samples["dataplane_mapcache_entries"]);
        Assert.Equal(0, samples["dataplane_punt_queue_depth{worker=\"0\"}"]);
        Assert.Equal(1, samples["dataplane_lisp_control_events_total{event=\"MapRequestSent\"}"]);
        Assert.Equal(2, samples["dataplane_lisp_control_events_total{event=\"MapReplyReceived\"}"]);
        Assert.Contains("# TYPE dataplane_drops_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE dataplane_mapcache_entries gauge", text, StringComparison.Ordinal);
    }

    /// <summary>Every sample line as series -> value; a line that is neither comment nor "series value" fails the test.</summary>
    private static Dictionary<string, double> Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                Assert.Matches(@"^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$", line);
                continue;
            }

            int space = line.LastIndexOf(' ');
            Assert.True(space > 0, line);
            samples.Add(line[..space], double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture));
        }

        return samples;
    }
}
