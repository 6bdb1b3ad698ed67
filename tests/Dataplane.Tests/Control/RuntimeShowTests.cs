using System.Globalization;
using System.Text.RegularExpressions;
using Dataplane.Control.Metrics;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tests.Lisp;

namespace Dataplane.Tests.Control;

/// <summary>
/// runtime.show and the stage metrics, what <c>vppctl show runtime</c> is to VPP: per stage, calls, packets handed to
/// it, packets per call and time per packet (timed on one batch in 16), summed over the workers and per worker. A
/// stage is called only with packets of the kinds it accepts: the batches here are native IPv4 from the site, so
/// neighbour discovery and LISP control are never called.
/// </summary>
public sealed class RuntimeShowTests : IDisposable
{
    private readonly ControlFixture fixture = new();

    private void ProcessBatches(int batches)
    {
        for (int i = 0; i < batches; i++)
        {
            fixture.Harness.Process([LispTestFrames.Ipv4Udp("10.1.0.10", "10.2.0.5"), LispTestFrames.Ipv4Udp("10.1.0.10", "10.2.0.6"),
                LispTestFrames.Ipv4Udp("10.1.0.10", "10.4.0.6")]);
        }
    }

    [Fact]
    public void Every_stage_from_classify_to_settle_counts_its_calls_packets_and_time_per_packet()
    {
        ProcessBatches(2 * StageRuntime.SampleEvery);

        var result = fixture.Result("runtime.show")!;
        var stages = result["stages"]!.AsArray();
        string[] expectedNames = ["classify", .. fixture.Harness.Worker.Stages.Select(s => s.Name), "settle"];
        Assert.Equal(expectedNames, stages.Select(s => s!["stage"]!.GetValue<string>()));
        Assert.Contains("lisp-encapsulation", expectedNames);
        foreach (var stage in stages.Where(s => s!["stage"]!.GetValue<string>() is "classify" or "lisp-encapsulation" or "settle"))
        {
            Assert.Equal(32, stage!["calls"]!.GetValue<long>());
            Assert.Equal(96, stage["packets"]!.GetValue<long>());
            Assert.Equal(3.0, stage["packetsPerCall"]!.GetValue<double>());
            Assert.True(stage["nsPerPacket"]!.GetValue<double>() > 0, stage.ToJsonString()); // two batches were timed
        }

        foreach (var stage in stages.Where(s => s!["stage"]!.GetValue<string>() is "neighbour-discovery" or "lisp-control"))
        {
            Assert.Equal(0, stage!["calls"]!.GetValue<long>());
            Assert.Equal(0, stage["packets"]!.GetValue<long>());
            Assert.Null(stage["nsPerPacket"]); // never ran: no time, not a zero
        }

        Assert.Equal(StageRuntime.SampleEvery, result["timedOneBatchIn"]!.GetValue<int>());
        var worker = Assert.Single(result["workers"]!.AsArray());
        Assert.Equal(stages.Select(s => s!["calls"]!.GetValue<long>()), worker!["stages"]!.AsArray().Select(s => s!["calls"]!.GetValue<long>()));
    }

    [Fact]
    public void Each_worker_reports_its_polls_and_those_that_found_packets()
    {
        // 32 rounds of the worker loop, every third one with packets: 11 busy (rounds 0, 3, ..., 30).
        var load = fixture.Harness.Worker.Load;
        for (int round = 0; round < 32; round++)
        {
            bool timed = load.BeginRound(out long start);
            load.EndRound(round % 3 == 0 ? 5 : 0, timed, start);
        }

        var worker = Assert.Single(fixture.Result("runtime.show")!["workers"]!.AsArray())!;
        Assert.Equal(32, worker["polls"]!.GetValue<long>());
        Assert.Equal(11, worker["busyPolls"]!.GetValue<long>());
        Assert.True(worker["busySeconds"]!.GetValue<double>() >= 0, worker.ToJsonString());

        string table = Dataplane.Host.Ctl.CtlOutput.Table("runtime.show", fixture.Result("runtime.show"));
        Assert.Matches(@"^0\s+32\s+11\s+[0-9.eE-]+$", table.Split('\n')[1]);
    }

    [Fact]
    public void Before_a_timed_batch_the_time_per_packet_is_unknown_not_zero()
    {
        ProcessBatches(1);

        var stages = fixture.Result("runtime.show")!["stages"]!.AsArray();
        Assert.All(stages, s => Assert.Null(s!["nsPerPacket"]));
        Assert.All(stages.Where(s => s!["stage"]!.GetValue<string>() is "classify" or "lisp-encapsulation" or "settle"),
            s => Assert.Equal(1, s!["calls"]!.GetValue<long>()));
    }

    [Fact]
    public void Metrics_carry_calls_packets_and_time_per_packet_per_stage_and_worker()
    {
        ProcessBatches(StageRuntime.SampleEvery);

        string text = PrometheusText.Render(fixture.Harness.Plane, null, null, null);

        Assert.Contains("dataplane_stage_calls_total{stage=\"classify\",worker=\"0\"} 16\n", text, StringComparison.Ordinal);
        Assert.Contains("dataplane_stage_packets_total{stage=\"lisp-encapsulation\",worker=\"0\"} 48\n", text, StringComparison.Ordinal);
        var time = Regex.Match(text, "^dataplane_stage_seconds_per_packet\\{stage=\"settle\",worker=\"0\"\\} ([0-9.eE+-]+)$", RegexOptions.Multiline);
        Assert.True(time.Success, text);
        Assert.True(double.Parse(time.Groups[1].Value, CultureInfo.InvariantCulture) > 0);
        foreach (string family in new[] { "dataplane_stage_calls_total counter", "dataplane_stage_packets_total counter", "dataplane_stage_seconds_per_packet gauge" })
        {
            Assert.Single(Regex.Matches(text, $"^# TYPE {Regex.Escape(family)}$", RegexOptions.Multiline));
        }
    }

    [Fact]
    public void Ctl_prints_it_as_a_table_of_stages_like_vppctl_show_runtime()
    {
        ProcessBatches(StageRuntime.SampleEvery);

        string table = Dataplane.Host.Ctl.CtlOutput.Table("runtime.show", fixture.Result("runtime.show"));

        string[] lines = table.Split('\n');
        Assert.Matches(@"^Worker\s+Polls\s+Busy polls\s+Busy seconds$", lines[0]);
        Assert.Matches(@"^0\s+0\s+0\s+0$", lines[1]); // the harness calls the pipeline, not the worker loop
        Assert.Equal("", lines[2]);
        Assert.Matches(@"^Stage \(all workers\)\s+Calls\s+Packets\s+Packets/Call\s+ns/Packet$", lines[3]);
        Assert.Matches(@"^classify\s+16\s+48\s+3\s+[0-9.]+$", lines[4]);
        Assert.Contains(lines, line => Regex.IsMatch(line, @"^lisp-encapsulation\s+16\s+48\s+3\s+[0-9.]+$"));
        Assert.Matches(@"^settle\s+16\s+48\s+3\s+[0-9.]+$", lines[^2]);
        Assert.Equal("(time per packet from one batch in 16; - before the first timed batch)", lines[^1]);
    }

    public void Dispose() => fixture.Dispose();
}
