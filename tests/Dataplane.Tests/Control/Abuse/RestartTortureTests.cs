using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Dataplane.Tests.Control.Abuse;

/// <summary>
/// Restart torture: a real daemon with a state directory; a client streams mapcache.add and localeid.add; the daemon
/// is killed with SIGKILL at a random (seeded) moment, restarted on the same state directory, and every change it
/// acknowledged in any round must be there. CI runs 10 rounds; <c>scripts/restart-torture --rounds N</c> runs more
/// (DATAPLANE_TORTURE_ROUNDS, DATAPLANE_TORTURE_SEED, DATAPLANE_TORTURE_REPORT).
/// </summary>
public sealed class RestartTortureTests : IDisposable
{
    private const int RequestsPerRound = 1200;
    private readonly DaemonScratch scratch = new("dpc-torture-");

    [Fact]
    public void Every_acknowledged_change_survives_repeated_kill_9()
    {
        int rounds = Setting("DATAPLANE_TORTURE_ROUNDS", 10);
        int seed = Setting("DATAPLANE_TORTURE_SEED", 8);
        var random = new Random(seed);
        var mapCache = new HashSet<string>(StringComparer.Ordinal);
        var localEids = new HashSet<string>(StringComparer.Ordinal);
        int next = 0;
        int survived = 0;
        var started = DateTime.UtcNow;

        var daemon = scratch.Start();
        for (int round = 0; round < rounds; round++)
        {
            int killAfter = random.Next(1, RequestsPerRound / 2);
            int first = next;
            next += RequestsPerRound;
            var acknowledged = StreamAndKill(daemon, first, killAfter);
            foreach (int index in acknowledged)
            {
                (IsMapCache(index) ? mapCache : localEids).Add(Eid(index));
            }

            Assert.True(acknowledged.Count >= killAfter, $"round {round}: only {acknowledged.Count} acknowledgements before the kill");

            daemon = scratch.Start();
            var dump = scratch.Dump();
            var presentMapCache = dump["mapCache"]!.AsArray().Select(e => e!["eid"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            var presentLocal = dump["localEids"]!.AsArray().Select(e => e!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            var lostMapCache = mapCache.Where(e => !presentMapCache.Contains(e)).ToList();
            var lostLocal = localEids.Where(e => !presentLocal.Contains(e)).ToList();
            Assert.True(lostMapCache.Count == 0 && lostLocal.Count == 0,
                $"round {round} (seed {seed}): lost {lostMapCache.Count} mapcache entries ({string.Join(' ', lostMapCache.Take(5))}) and {lostLocal.Count} local EIDs ({string.Join(' ', lostLocal.Take(5))})");
            Assert.Contains("[7]10.2.0.0/16", presentMapCache); // the configuration's own entry
            survived++;
            WriteReport(seed, survived, rounds, mapCache.Count, localEids.Count, started); // after every round: a long run cut short still says how far it got
        }

        DaemonScratch.Kill9(daemon);
        TestContext.Current.TestOutputHelper?.WriteLine(WriteReport(seed, survived, rounds, mapCache.Count, localEids.Count, started));

        Assert.Equal(rounds, survived);
    }

    private static string WriteReport(int seed, int survived, int rounds, int mapCacheAdds, int localEidAdds, DateTime started)
    {
        string report = string.Create(CultureInfo.InvariantCulture,
            $"restart torture: seed {seed}, {survived}/{rounds} rounds survived, {mapCacheAdds + localEidAdds} acknowledged changes verified ({mapCacheAdds} mapcache.add, {localEidAdds} localeid.add), {(DateTime.UtcNow - started).TotalSeconds:F1} s");
        if (Environment.GetEnvironmentVariable("DATAPLANE_TORTURE_REPORT") is { Length: > 0 } reportPath)
        {
            File.WriteAllText(reportPath, report + "\n");
        }

        return report;
    }

    /// <summary>Streams one round's requests; SIGKILLs the daemon once <paramref name="killAfter"/> acknowledgements arrived.</summary>
    private List<int> StreamAndKill(System.Diagnostics.Process daemon, int first, int killAfter)
    {
        var acknowledged = new List<int>();
        using var socket = scratch.ConnectWithRetry();
        var requests = new StringBuilder();
        for (int index = first; index < first + RequestsPerRound; index++)
        {
            requests.Append(IsMapCache(index)
                ? DaemonScratch.Line(index, "mapcache.add", $"{{\"eid\":\"{Eid(index)}\",\"locators\":[{{\"address\":\"198.51.100.{1 + (index % 200)}\"}}]}}")
                : DaemonScratch.Line(index, "localeid.add", $"{{\"eid\":\"{Eid(index)}\"}}"));
        }

        var writer = new Thread(() =>
        {
            try
            {
                ControlFixture.Send(socket, requests.ToString());
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // the daemon is gone
            }
        });
        writer.Start();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        bool killed = false;
        while (DateTime.UtcNow < deadline)
        {
            JsonObject? reply;
            try
            {
                reply = ControlFixture.ReadReply(socket);
            }
            catch (IOException)
            {
                break; // a reply cut short by the kill is not an acknowledgement
            }

            if (reply is null)
            {
                break;
            }

            Assert.True(reply["error"] is null, reply.ToJsonString());
            acknowledged.Add(reply["id"]!.GetValue<int>());
            if (!killed && acknowledged.Count >= killAfter)
            {
                DaemonScratch.Kill9(daemon); // replies already in the socket buffer are still read: they were acknowledged too
                killed = true;
            }
        }

        if (!killed)
        {
            DaemonScratch.Kill9(daemon);
        }

        Assert.True(writer.Join(TimeSpan.FromSeconds(10)), "the writer did not end after the kill");
        return acknowledged;
    }

    private static bool IsMapCache(int index) => index % 3 != 2;

    private static string Eid(int index) =>
        string.Create(CultureInfo.InvariantCulture, $"[{(IsMapCache(index) ? 8 : 9)}]{10 + (index >> 16)}.{(index >> 8) & 255}.{index & 255}.0/24");

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value > 0 ? value : fallback;

    public void Dispose() => scratch.Dispose();
}
