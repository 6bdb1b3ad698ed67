using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Dataplane.Tests.Integration;

/// <summary>
/// A client's ping every 20 ms (`ping -D`: each reply with its wall-clock time) read as it comes, and what it says
/// about each move: the downtime at the client (from the move until the first echo request that got an answer left)
/// and the echo requests lost.
/// </summary>
internal sealed partial class PingTrace
{
    private readonly Process process;
    private readonly Task<string> output;

    private PingTrace(Process process)
    {
        this.process = process;
        output = process.StandardOutput.ReadToEndAsync(); // read as it comes: a full pipe would stall ping
    }

    public string Target { get; private init; } = "";

    public static PingTrace Start(Lab lab, string ns, string target, int seconds) =>
        new(lab.Start(ns, "ping", "-D", "-i", "0.02", "-w", seconds.ToString(CultureInfo.InvariantCulture), "-W", "1", target)) { Target = target };

    /// <summary>
    /// Waits for ping to end; every request answered within a second, once (a duplicate reply is dropped), in the order
    /// they left: when it left (reply time minus round trip) and its number. Ping prints replies as they come, and one
    /// held up in a queue (an xTR resolving the VM's address after it left) comes seconds late, out of order.
    /// </summary>
    public List<(double Sent, int Seq)> Replies()
    {
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), $"ping {Target} did not end");
        return ReplyLine().Matches(output.Result)
            .Where(m => double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) < 1000) // later than -W 1: lost, as ping counts it
            .Select(m => (Sent: double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) - double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) / 1000,
                Seq: int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
            .DistinctBy(r => r.Seq)
            .OrderBy(r => r.Seq)
            .ToList();
    }

    /// <summary>Echo requests between the first and the last answered one that got no answer.</summary>
    public static int Lost(List<(double Sent, int Seq)> replies) => replies.Count == 0 ? 0 : replies[^1].Seq - replies[0].Seq + 1 - replies.Count;

    public string Text => output.IsCompleted ? output.Result : "(ping still running)";

    /// <summary>
    /// The move at <paramref name="movedAt"/> (Unix seconds), up to <paramref name="until"/>: downtime in ms and echo
    /// requests lost; null when no request sent in that window was answered (the move never converged).
    /// </summary>
    public static MoveFigure? Measure(List<(double Sent, int Seq)> replies, double movedAt, double until)
    {
        var before = replies.Where(r => r.Sent < movedAt).ToList();
        var after = replies.Where(r => r.Sent >= movedAt && r.Sent < until).ToList();
        if (before.Count == 0 || after.Count == 0)
        {
            return null;
        }

        return new MoveFigure((after[0].Sent - movedAt) * 1000, after[0].Seq - before[^1].Seq - 1);
    }

    [GeneratedRegex(@"^\[(\d+\.\d+)\] .*icmp_seq=(\d+) .*time=([\d.]+) ms", RegexOptions.Multiline)]
    private static partial Regex ReplyLine();
}

/// <summary>One move seen from the client: how long until an echo request got through, and how many were lost.</summary>
internal sealed record MoveFigure(double DowntimeMilliseconds, int Lost);

/// <summary>
/// The convergence report, artifacts/reports/lisp-mobility.md: one row per run of a case, each move's downtime at the
/// client and their median, next to the Change-Priority thesis's downtimes near clients (CP 260 ms, SMR 320 ms).
/// </summary>
internal static class MobilityReport
{
    public const string Header = "| time (UTC) | case | relay one-way delay | moves | downtime per move, ms (requests lost) | median downtime | thesis |";

    public static string Path => System.IO.Path.Combine(Oracles.RepositoryPaths.Root, "artifacts", "reports", "lisp-mobility.md");

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Appends the row of one run; writes the table's header first when the file has none.</summary>
    public static void Append(string caseName, int relayDelayMilliseconds, IReadOnlyList<MoveFigure> moves)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        if (!File.Exists(Path) || !File.ReadAllText(Path).Contains(Header, StringComparison.Ordinal))
        {
            File.AppendAllText(Path, "\n# LISP mobility convergence\n\nWritten by LispMobilityNamespaceTests and LispMappingSystemTests; " +
                "the thesis measured CP 260 ms and SMR 320 ms downtime near clients.\n\n" + Header + "\n|---|---|---|---|---|---|---|\n");
        }

        string thesis = caseName.Contains("smr", StringComparison.Ordinal) ? "SMR 320 ms" : "CP 260 ms";
        string perMove = string.Join(", ", moves.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.DowntimeMilliseconds:F0} ({m.Lost})")));
        File.AppendAllText(Path, string.Create(CultureInfo.InvariantCulture,
            $"| {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} | {caseName} | {relayDelayMilliseconds} ms | {moves.Count} | {perMove} | {Median(moves.Select(m => m.DowntimeMilliseconds)):F0} ms | {thesis} |\n"));
    }
}
