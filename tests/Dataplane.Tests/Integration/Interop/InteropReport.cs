using System.Globalization;
using System.Text;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Integration.Interop;

/// <summary>
/// Appends one section per interop scenario to artifacts/reports/lisp-interop.md: the figures measured (ping loss,
/// first answered echo, convergence) and, for each of our daemons, the control messages it read by type and what it
/// refused. Reported rather than asserted where the shared machine makes the figure noisy.
/// </summary>
public static class InteropReport
{
    /// <summary>The received-message counters (by type) and the refusal that matters for interop, in table order.</summary>
    public static readonly string[] MessageCounters =
        ["MapRequestReceived", "MapReplyReceived", "MapRegisterReceived", "MapNotifyReceived", "EncapsulatedControlReceived", "Malformed"];

    /// <summary>Every refusal counter of the LISP control plane (LispControlEvent), each reported when not zero.</summary>
    private static readonly string[] Refusals =
    [
        "Malformed", "BadHmac", "BadAuthenticationLength", "UnknownKeyId", "ReplayedNonce", "PrefixNotAllowed", "UnmatchedMapNotify", "UnmatchedMapReply",
        "RateLimited", "RetransmissionRateLimited", "PendingLimitReached", "NotForUs", "UnusableRecord", "RequesterMemoryFull", "SmrForUncachedEid",
    ];

    private static readonly object Gate = new();

    public static string Path { get; } = System.IO.Path.Combine(RepositoryPaths.Root, "artifacts", "reports", "lisp-interop.md");

    public static void Append(string scenario, IEnumerable<(string Figure, string Value)> figures, IReadOnlyDictionary<string, Dictionary<string, long>> countersByDaemon)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC: {scenario}");
        text.AppendLine();
        text.AppendLine("| Figure | Value |");
        text.AppendLine("|---|---|");
        foreach (var (figure, value) in figures)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {figure} | {value} |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"| Our daemon | {string.Join(" | ", MessageCounters)} | Other refusals |");
        text.AppendLine(CultureInfo.InvariantCulture, $"|---|{string.Concat(MessageCounters.Select(_ => "---|"))}---|");
        foreach (var (daemon, counters) in countersByDaemon)
        {
            var others = Refusals.Where(r => r != "Malformed" && counters.GetValueOrDefault(r) != 0).Select(r => $"{r} {counters[r]}").ToList();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {daemon} | {string.Join(" | ", MessageCounters.Select(c => counters.GetValueOrDefault(c)))} | {(others.Count == 0 ? "none" : string.Join(", ", others))} |");
        }

        text.AppendLine();
        lock (Gate)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            if (!File.Exists(Path))
            {
                File.WriteAllText(Path, "# LISP interop with Open Overlay Router 1.3.0\n\nWritten by tests/Dataplane.Tests/Integration/OorInteropTests.cs, "
                    + "one section per scenario run. Counters are our daemons' `lisp.counters` at the end of the scenario (messages from OOR "
                    + "and from our own daemons alike); `Malformed` must stay 0. Times \"after start\" count from the start of the daemons "
                    + "and include OOR's own start, which pauses 2 s after each warning about a part its configuration leaves out "
                    + "(map-server, map-resolver, proxy-ETR).\n\n");
            }

            File.AppendAllText(Path, text.ToString());
        }
    }

    public static string Seconds(double? seconds) => seconds is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s:F2} s") : "never";

    public static string Loss(int sent, int received) =>
        string.Create(CultureInfo.InvariantCulture, $"{sent - received}/{sent} lost");
}
