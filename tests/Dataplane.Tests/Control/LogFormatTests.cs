using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dataplane.Control.Logging;
using Microsoft.Extensions.Logging;

namespace Dataplane.Tests.Control;

/// <summary>
/// The three log formats, each line parsed: JSON objects with a timestamp, level, category, message and the named
/// values; journald lines whose "&lt;N&gt;" prefix is the sd-daemon priority of the level (sd-daemon.h: SD_CRIT "&lt;2&gt;",
/// SD_ERR "&lt;3&gt;", SD_WARNING "&lt;4&gt;", SD_INFO "&lt;6&gt;", SD_DEBUG "&lt;7&gt;"); plain lines that start with an ISO 8601
/// UTC timestamp. And the live filter: the default level, a category's own level, set while loggers exist.
/// </summary>
public sealed partial class LogFormatTests
{
    [Fact]
    public void A_json_line_holds_timestamp_level_category_message_and_the_named_values()
    {
        using var written = new StringWriter();
        var before = DateTimeOffset.UtcNow;
        using (var logging = DaemonLogging.Create(LogFormat.Json, LogLevel.Information, written))
        {
            ControlSocketLog.MutationAccepted(logging.Logger(LogCategories.Socket), "mapcache.add", "{\"eid\":\"[7]10.9.0.0/16\"}");
        }

        string line = Assert.Single(written.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var document = JsonDocument.Parse(line);
        var entry = document.RootElement;
        var stamp = DateTimeOffset.ParseExact(entry.GetProperty("Timestamp").GetString()!, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        Assert.InRange(stamp, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal("Information", entry.GetProperty("LogLevel").GetString());
        Assert.Equal("Dataplane.Control.Socket", entry.GetProperty("Category").GetString());
        Assert.Equal(101, entry.GetProperty("EventId").GetInt32());
        Assert.Equal("mapcache.add {\"eid\":\"[7]10.9.0.0/16\"}", entry.GetProperty("Message").GetString());
        Assert.Equal("mapcache.add", entry.GetProperty("State").GetProperty("Method").GetString());
        Assert.Equal("{\"eid\":\"[7]10.9.0.0/16\"}", entry.GetProperty("State").GetProperty("Params").GetString());
    }

    [Theory]
    [InlineData(LogLevel.Trace, "<7>")]
    [InlineData(LogLevel.Debug, "<7>")]
    [InlineData(LogLevel.Information, "<6>")]
    [InlineData(LogLevel.Warning, "<4>")]
    [InlineData(LogLevel.Error, "<3>")]
    [InlineData(LogLevel.Critical, "<2>")]
    public void A_systemd_line_starts_with_the_sd_daemon_priority_of_its_level_and_has_no_timestamp(LogLevel level, string prefix)
    {
        using var written = new StringWriter();
        using (var logging = DaemonLogging.Create(LogFormat.Systemd, LogLevel.Trace, written))
        {
#pragma warning disable CA1848, CA2254 // one call for every level is what the test is about
            logging.Logger(LogCategories.Lisp).Log(level, new EventId(600), "map-server 192.0.2.1 did not answer");
#pragma warning restore CA1848, CA2254
        }

        Assert.Equal($"{prefix}Dataplane.Control.Lisp[600] map-server 192.0.2.1 did not answer\n", written.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void A_plain_line_starts_with_an_iso_8601_utc_timestamp_then_the_level_and_category()
    {
        using var written = new StringWriter();
        using (var logging = DaemonLogging.Create(LogFormat.Plain, LogLevel.Information, written))
        {
            StateLog.Restored(logging.Logger(LogCategories.State), "/var/lib/dataplane", 3);
        }

        string line = Assert.Single(written.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var match = PlainLine().Match(line);
        Assert.True(match.Success, line);
        var stamp = DateTimeOffset.Parse(match.Groups["stamp"].Value, CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.Zero, stamp.Offset);
        Assert.InRange(stamp, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal("restored from /var/lib/dataplane (3 journal entries replayed)", match.Groups["message"].Value);
        Assert.DoesNotContain("\u001b[", line, StringComparison.Ordinal); // no colour codes when not asked
    }

    [Fact]
    public void The_filter_changes_live_for_loggers_made_before_and_a_category_can_have_its_own_level()
    {
        using var written = new StringWriter();
        using var logging = DaemonLogging.Create(LogFormat.Systemd, LogLevel.Information, written);
        var socket = logging.Logger(LogCategories.Socket);
        var tof = logging.Logger(LogCategories.Tof);

        ControlSocketLog.RequestRefused(socket, "mapcache.add", "params.eid: missing");
        Assert.Equal("", written.ToString()); // debug, below information

        Assert.Equal(LogLevel.Information, logging.Filter.Set(LogLevel.Debug));
        ControlSocketLog.RequestRefused(socket, "mapcache.add", "params.eid: missing");
        Assert.Equal("<7>Dataplane.Control.Socket[102] mapcache.add refused: params.eid: missing\n", written.ToString());

        written.GetStringBuilder().Clear();
        Assert.Equal(LogLevel.Debug, logging.Filter.Set(LogLevel.Warning, "Dataplane.Control.Socket"));
        ControlSocketLog.MutationAccepted(socket, "mapcache.add", "{}");
        TofLog.Purged(tof, 2, 5);
        Assert.Equal("<6>Dataplane.Control.Tof[402] purged 2 idle tunnel(s) and 5 idle flow(s)\n", written.ToString());
        Assert.Equal(LogLevel.Warning, logging.Filter.LevelOf("Dataplane.Control.Socket"));
        Assert.Equal(LogLevel.Debug, logging.Filter.LevelOf("Dataplane.Control.Tof"));
    }

    [Theory]
    [InlineData(null, null, LogFormat.Plain)]
    [InlineData("8:12345", null, LogFormat.Systemd)]
    [InlineData(null, "0123456789abcdef0123456789abcdef", LogFormat.Systemd)]
    [InlineData("", "", LogFormat.Plain)]
    public void Under_systemd_the_default_format_is_the_journal_one(string? journalStream, string? invocationId, LogFormat expected)
    {
        var variables = new Dictionary<string, string?> { ["JOURNAL_STREAM"] = journalStream, ["INVOCATION_ID"] = invocationId };
        Assert.Equal(expected, LogFormats.ForEnvironment(name => variables.GetValueOrDefault(name)));
    }

    [Theory]
    [InlineData("trace", LogLevel.Trace)]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData("information", LogLevel.Information)]
    [InlineData("info", LogLevel.Information)]
    [InlineData("warning", LogLevel.Warning)]
    [InlineData("error", LogLevel.Error)]
    [InlineData("critical", LogLevel.Critical)]
    public void Level_names_are_those_of_microsoft_extensions_logging_in_lower_case(string name, LogLevel level)
    {
        Assert.True(LogLevels.TryParse(name, out var parsed));
        Assert.Equal(level, parsed);
        Assert.False(LogLevels.TryParse("Information", out _)); // lower case only, as documented
    }

    [GeneratedRegex(@"^(?<stamp>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) info: Dataplane\.Control\.State\[700\] (?<message>.*)$")]
    private static partial Regex PlainLine();
}
