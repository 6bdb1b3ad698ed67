using Dataplane.Control.Lisp;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Control.Lisp;

/// <summary>
/// Two map-server/map-resolvers, an ETR registering with both and an ITR resolving through both, on the simulated
/// underlay of <see cref="LispControlLab"/>: the ITR spreads new requests across the resolvers that answer, marks a
/// silent one down after <c>resolverDownAfter</c> unanswered requests and stops asking it, tries it again after the
/// hold-down and marks it up on its answer; a dead map-server delays nobody's registration with the other. Expected
/// figures come from the settings (a link delay of 5 ms one way, retransmission after 300 ms), not from the code.
/// </summary>
public sealed class RedundantMappingSystemTests
{
    private const string Ms1 = "192.0.2.101", Ms2 = "192.0.2.102", RlocA = "192.0.2.1", RlocC = "192.0.2.3";
    private const int RetransmitMilliseconds = 300, DownAfter = 2, RetrySeconds = 5, LinkDelay = 5;

    /// <summary>One resolution through a live resolver: ITR to MR, MR to ETR, ETR to ITR, one link delay each.</summary>
    private const int ResolutionTrip = 3 * LinkDelay;

    private static string MsConfig(string address) => $$"""
        {
          "roles": ["msmr"],
          "ports": [ { "name": "und", "mac": "02:00:00:00:01:{{int.Parse(address.Split('.')[3], System.Globalization.CultureInfo.InvariantCulture):x2}}", "addresses": ["{{address}}"] } ],
          "lisp": {
            "localRlocs": [ { "address": "{{address}}" } ],
            "mappingSystem": { "sites": [ { "name": "lab", "keyId": 2, "key": "lab-key", "eidPrefixes": ["10.0.0.0/8"] } ] }
          }
        }
        """;

    /// <summary>An xTR with eight EID prefixes (10.N.k.0/24), so eight resolutions of it are eight fresh ones.</summary>
    private static string XtrConfig(string rloc, int site) => $$"""
        {
          "roles": ["itr", "etr"],
          "ports": [ { "name": "und", "mac": "02:00:00:00:00:{{rloc.Split('.')[3].PadLeft(2, '0')}}", "addresses": ["{{rloc}}"] } ],
          "lisp": {
            "localRlocs": [ { "address": "{{rloc}}" } ],
            "localEids": [ {{string.Join(", ", Enumerable.Range(0, 8).Select(k => $"\"10.{site}.{k}.0/24\""))}} ],
            "mapResolvers": [ "{{Ms1}}", "{{Ms2}}" ],
            "mapServers": [ { "address": "{{Ms1}}", "key": "lab-key" }, { "address": "{{Ms2}}", "key": "lab-key" } ],
            "registerIntervalSeconds": 60,
            "mapRequests": { "retransmitMilliseconds": {{RetransmitMilliseconds}}, "maxRetransmits": 3, "resolverDownAfter": {{DownAfter}}, "resolverRetrySeconds": {{RetrySeconds}} }
          }
        }
        """;

    private static (LispControlLab Lab, LispControlLab.Node Ms1, LispControlLab.Node Ms2, LispControlLab.Node A, LispControlLab.Node C) Lab(params string[] unreachable)
    {
        var lab = new LispControlLab { LinkDelay = LinkDelay };
        foreach (string address in unreachable)
        {
            lab.Unreachable.Add(IpAddress.Parse(address));
        }

        var ms1 = lab.Add("ms1", MsConfig(Ms1));
        var ms2 = lab.Add("ms2", MsConfig(Ms2));
        var a = lab.Add("a", XtrConfig(RlocA, 1));
        var c = lab.Add("c", XtrConfig(RlocC, 3));
        lab.Run(100);
        return (lab, ms1, ms2, a, c);
    }

    private static MapResolverHealth Health(LispControlLab.Node itr, string resolver) =>
        itr.Control.Resolver!.Resolvers.Single(r => r.Address == IpAddress.Parse(resolver));

    /// <summary>
    /// Resolves 10.1.k.host from C (after forgetting the cached 10.1.k.0/24, so it is a new resolution) and returns
    /// how long it took on the lab's clock.
    /// </summary>
    private static long Resolve(LispControlLab lab, LispControlLab.Node c, int k, int host = 1)
    {
        string eid = $"10.1.{k}.{host}";
        c.Tables.MapCache.Remove(EidPrefix.Parse($"[0]10.1.{k}.0/24"));
        c.Control.Resolver!.OnMiss(0, IpAddress.Parse(eid));
        return lab.RunUntil(() => c.Lookup(eid) is { IsNegative: false }, 20 * RetransmitMilliseconds);
    }

    [Fact]
    public void The_etr_registers_with_both_map_servers_and_each_confirms_on_its_own()
    {
        var (_, ms1, ms2, a, _) = Lab();

        foreach (var ms in new[] { ms1, ms2 })
        {
            Assert.Equal(16, ms.Control.MappingSystem!.Registrations.Count); // A's and C's eight prefixes each
        }

        var servers = a.Control.Registrar!.Servers;
        Assert.Equal([IpAddress.Parse(Ms1), IpAddress.Parse(Ms2)], servers.Select(s => s.Address));
        Assert.All(servers, s => Assert.True(s.Confirmed && s.Attempts == 1 && s.LastNotifyAt is not null, $"{s.Address}"));
    }

    [Fact]
    public void A_dead_map_server_does_not_delay_the_registration_with_the_other()
    {
        var (lab, ms1, ms2, a, _) = Lab(unreachable: Ms1);

        // The live server had A's registration one round trip after the first tick, as if it were alone.
        Assert.Equal(16, ms2.Control.MappingSystem!.Registrations.Count);
        Assert.Empty(ms1.Control.MappingSystem!.Registrations);
        var dead = a.Control.Registrar!.Servers[0];
        var live = a.Control.Registrar.Servers[1];
        Assert.True(live.Confirmed);
        Assert.False(dead.Confirmed);

        // The dead one is asked again after 1, 2, 4 ... s, while the live one stays confirmed and is not asked again.
        long registersBefore = a.Control.Counters[LispControlEvent.MapRegisterSent];
        lab.Run(7_500);
        Assert.Equal(4, dead.Attempts); // 0, 1, 3, 7 s
        Assert.Equal(1, live.Attempts);
        Assert.Equal(registersBefore + 3, a.Control.Counters[LispControlEvent.MapRegisterSent]);

        // It comes back: the next repetition is confirmed.
        lab.Unreachable.Clear();
        lab.RunUntil(() => dead.Confirmed, 8_100);
        Assert.Equal(16, ms1.Control.MappingSystem.Registrations.Count);
    }

    [Fact]
    public void New_requests_rotate_across_the_answering_resolvers()
    {
        var (lab, _, _, _, c) = Lab();

        for (int k = 0; k < 6; k++)
        {
            Assert.True(Resolve(lab, c, k) <= ResolutionTrip + 10);
        }

        Assert.Equal(3, Health(c, Ms1).Sent);
        Assert.Equal(3, Health(c, Ms2).Sent);
        Assert.Equal(3, Health(c, Ms1).Answered);
        Assert.Equal(0, c.Control.Counters[LispControlEvent.MapRequestRetransmitted]);
    }

    /// <summary>
    /// Ms1 dies. A new resolution takes at worst one retransmission interval plus a resolution trip (the request
    /// that went to the dead resolver is retransmitted to the live one); after <c>resolverDownAfter</c> such requests
    /// the dead one is marked down and new resolutions take a trip only. After the hold-down one request tries it
    /// again (and costs a retransmission interval while it is still dead); once it is back, that request marks it up.
    /// </summary>
    [Fact]
    public void A_silent_resolver_is_marked_down_avoided_retried_after_the_hold_down_and_marked_up_on_its_answer()
    {
        var (lab, _, _, _, c) = Lab();
        Resolve(lab, c, 0);
        lab.Unreachable.Add(IpAddress.Parse(Ms1));

        var times = new List<long>();
        for (int k = 1; k < 8; k++)
        {
            times.Add(Resolve(lab, c, k));
        }

        Assert.All(times, t => Assert.True(t <= RetransmitMilliseconds + ResolutionTrip + 10, $"a resolution took {t} ms: [{string.Join(", ", times)}]"));
        var dead = Health(c, Ms1);
        Assert.False(dead.Up);
        Assert.Equal(DownAfter, dead.UnansweredInARow);
        Assert.Equal(1, c.Control.Counters[LispControlEvent.MapResolverDown]);
        Assert.Equal(DownAfter, times.Count(t => t > RetransmitMilliseconds)); // only the requests that found it dead waited
        Assert.True(times[^1] <= ResolutionTrip + 10);
        long sentToDead = dead.Sent;

        // Held down: nothing goes to it.
        for (int k = 0; k < 4; k++)
        {
            Assert.True(Resolve(lab, c, k, host: 2) <= ResolutionTrip + 10);
        }

        Assert.Equal(sentToDead, dead.Sent);

        // After the hold-down, one request tries it; still dead, it stays down and that request went on to Ms2.
        lab.Run(RetrySeconds * 1000);
        long trial = Resolve(lab, c, 4, host: 3);
        Assert.InRange(trial, RetransmitMilliseconds, RetransmitMilliseconds + ResolutionTrip + 10);
        Assert.Equal(sentToDead + 1, dead.Sent);
        Assert.False(dead.Up);

        // Back, and after the next hold-down its trial is answered: up again, and new requests rotate to it once more.
        lab.Unreachable.Clear();
        lab.Run(RetrySeconds * 1000);
        Assert.True(Resolve(lab, c, 5, host: 4) <= ResolutionTrip + 10);
        Assert.True(dead.Up);
        Assert.Equal(0, dead.UnansweredInARow);
        Assert.Equal(1, c.Control.Counters[LispControlEvent.MapResolverUp]);
        long answered = dead.Answered;
        Resolve(lab, c, 6, host: 4);
        Resolve(lab, c, 7, host: 4);
        Assert.Equal(answered + 1, dead.Answered);
    }

    [Fact]
    public void When_every_resolver_is_silent_they_are_still_asked_in_turn()
    {
        var (lab, _, _, _, c) = Lab();
        lab.Unreachable.Add(IpAddress.Parse(Ms1));
        lab.Unreachable.Add(IpAddress.Parse(Ms2));

        for (int k = 0; k < 4; k++)
        {
            c.Control.Resolver!.OnMiss(0, IpAddress.Parse($"10.1.{k}.1"));
            lab.Run(1_000);
        }

        // Both down, and both kept being asked.
        Assert.False(Health(c, Ms1).Up);
        Assert.False(Health(c, Ms2).Up);
        Assert.True(Health(c, Ms1).Sent >= 3 && Health(c, Ms2).Sent >= 3, $"{Health(c, Ms1).Sent} and {Health(c, Ms2).Sent} requests");
        lab.Run(4_000); // every request given up
        Assert.Equal(0, c.Control.Resolver!.PendingCount);
        lab.Unreachable.Clear();
        long sent1 = Health(c, Ms1).Sent, sent2 = Health(c, Ms2).Sent;
        c.Control.Resolver!.OnMiss(0, IpAddress.Parse("10.1.5.1"));
        lab.RunUntil(() => c.Lookup("10.1.5.1") is { IsNegative: false }, 5 * RetransmitMilliseconds);
        Assert.Equal(sent1 + sent2 + 1, Health(c, Ms1).Sent + Health(c, Ms2).Sent);
        Assert.Equal(1, c.Control.Counters[LispControlEvent.MapResolverUp]);
    }
}
