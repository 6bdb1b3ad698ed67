using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dataplane.Wire.Addresses;
using static Dataplane.Tests.Integration.Interop.InteropTopology;

namespace Dataplane.Tests.Integration.Interop;

/// <summary>What the interop scenarios check on both implementations, and how they quote the daemons' output when a check fails.</summary>
public static class InteropChecks
{
    /// <summary>
    /// Our refusals that would mean the two implementations disagree on a message's form. Not here: refusals that
    /// ordinary timing causes (a Map-Reply to a retransmitted request, rate limits).
    /// </summary>
    public static readonly string[] InteropRefusals =
        ["Malformed", "BadHmac", "BadAuthenticationLength", "UnknownKeyId", "ReplayedNonce", "PrefixNotAllowed", "UnmatchedMapNotify", "NotForUs", "UnusableRecord", "SmrForUncachedEid"];

    /// <summary>What OOR logs when it drops one of our messages: unprocessed, failed authentication, an invalid Map-Notify, a notify for a prefix it did not register.</summary>
    private static readonly Regex OorRefusal = new("Failed to process|validation failed|Map-Notify message is invalid|registration of UNKNOWN EID");

    /// <summary>OOR's map-server dumps its registered sites (debug level 3) each time they change: site N with that RLOC, instance 0 as a plain prefix.</summary>
    public static bool ListedBy(OorNode mapServer, int site, string rloc) =>
        Regex.IsMatch(mapServer.Log(), $@"EID: {Regex.Escape(EidPrefix(site))}, [^\n]*\n\s*RLOC: {Regex.Escape(rloc)},");

    /// <summary>An OOR xTR logs each Map-Notify it verified (nonce, key, HMAC) and took as confirming the registration of that prefix.</summary>
    public static bool ConfirmedTo(string oorLog, string eidPrefix) =>
        oorLog.Contains($"Map-Notify message confirms correct registration of {eidPrefix}", StringComparison.Ordinal);

    public static void AssertRegistered(JsonArray registrations, string eid, string site, string rloc, bool proxyReply)
    {
        var registration = registrations.SingleOrDefault(r => r!["eid"]!.GetValue<string>() == eid);
        Assert.True(registration is not null, $"{eid} is not registered: {registrations.ToJsonString()}");
        Assert.Equal(site, registration!["site"]!.GetValue<string>());
        Assert.Equal(proxyReply, registration["proxyReply"]!.GetValue<bool>());
        Assert.Contains(rloc, registration["locators"]!.ToJsonString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Each side read what the other sent. Ours: no daemon counted a malformed message or one it could not use because
    /// of its form (authentication, key id, record, unexpected type or Map-Notify, SMR for an EID it does not know),
    /// each counted messages in, and what they print at exit agrees. OOR's: its log has no control message it failed
    /// to process and no failed authentication.
    /// </summary>
    public static void AssertEachSideReadTheOther(Dictionary<string, Dictionary<string, long>> counters, Dictionary<string, string> logs)
    {
        foreach (var (daemon, values) in counters)
        {
            foreach (string refusal in InteropRefusals)
            {
                Assert.True(values[refusal] == 0, $"{daemon} counted {values[refusal]} {refusal}\n{Format(logs)}");
            }

            long received = InteropReport.MessageCounters.Where(c => c != "Malformed").Sum(c => values[c]);
            Assert.True(received > 0, $"{daemon} received no control message at all");
        }

        foreach (var (name, log) in logs)
        {
            if (log.Contains("conservation", StringComparison.Ordinal))
            {
                Assert.DoesNotMatch(@"lisp Malformed\s", log); // ours: the counters printed at exit
            }
            else
            {
                var refused = log.Split('\n').Where(line => OorRefusal.IsMatch(line)).Take(5).ToList();
                Assert.True(refused.Count == 0, $"{name} refused a control message:\n{string.Join('\n', refused)}");
            }
        }
    }

    public static string Format(Dictionary<string, string> logs) =>
        string.Join("\n", logs.Select(l => $"--- {l.Key}:\n{Tail(l.Value)}"));

    /// <summary>The last 80 non-blank lines (OOR at debug level 3 writes thousands; the topology keeps the whole logs in the temp folder).</summary>
    public static string Tail(string log)
    {
        string[] lines = log.Split('\n').Where(l => !string.IsNullOrWhiteSpace(l)).ToArray();
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 80)));
    }
}
