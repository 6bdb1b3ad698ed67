using Dataplane.Forwarding.Configuration;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Control.Lisp;

/// <summary>
/// RLOC probing (RFC 9301 7.1): a probe Map-Request (P bit) to each remote locator of the cached mappings, one per
/// locator however many mappings list it, every interval. An answer with the probe's nonce measures the round trip
/// and marks the locator up; <c>downAfter</c> unanswered probes in a row mark it down. After a lost probe the next
/// one goes at once instead of an interval later, so a dead locator is down within interval + downAfter x timeout of
/// its failure (the worst case, failing just after an answered probe); a down locator is still probed every interval,
/// which is how it comes back. The locator's state is written into every map-cache entry that lists it, so the ITR
/// stops (or starts again) choosing it at once.
/// <para>
/// Per locator it keeps the last RTT, a smoothed RTT (gain 1/8) and the jitter, RFC 3550's J += (|D| - J) / 16 over
/// successive round trips. Priorities and weights are the ETR's policy and decide first; the jitter decides only
/// among the locators of the best priority: with <c>degradedJitterMilliseconds</c>, a locator whose jitter is above
/// it is degraded and yields to the healthy ones of that priority (back to healthy at half the threshold, so one near
/// it does not flap).
/// </para>
/// </summary>
public sealed class RlocProber(LispControlContext context, RlocProbingConfig config)
{
    private readonly Dictionary<ulong, IpAddress> outstanding = [];
    private readonly Dictionary<IpAddress, RlocHealth> health = [];
    private readonly long interval = config.EffectiveIntervalMilliseconds;
    private long nextScan;

    public IReadOnlyDictionary<IpAddress, RlocHealth> Health => health;

    public void OnTick(long now)
    {
        ExpireProbes(now);
        if (now >= nextScan)
        {
            nextScan = now + interval;
            Scan(now);
        }

        SendDueProbes(now);
    }

    /// <summary>
    /// A Map-Reply with the P bit: true when it answered one of our probes (its nonce, from the probed RLOC).
    /// <paramref name="receivedAtUnixNanoseconds"/> is the port's receive time when it gives one: the round trip is then
    /// measured to it rather than to the control thread's next round (10 ms rounds, later on a loaded machine), which
    /// would add that much noise to the jitter.
    /// </summary>
    public bool OnProbeReply(MapReply reply, IpAddress from, long receivedAtUnixNanoseconds = 0)
    {
        if (!outstanding.TryGetValue(reply.Nonce, out var probed) || probed != from)
        {
            return false; // a reply from elsewhere does not cancel the probe: only the probed RLOC answers it
        }

        outstanding.Remove(reply.Nonce);
        var rloc = health[probed];
        rloc.OutstandingNonce = null;
        double rtt = context.Now - rloc.SentAt;
        if (receivedAtUnixNanoseconds > 0)
        {
            // Both ends on the wall clock; a step of it between the two (NTP) shows as a figure outside what the
            // control thread saw, and then the coarser figure stands.
            double precise = (receivedAtUnixNanoseconds - rloc.SentAtUnixNanoseconds) / 1e6;
            if (precise >= 0 && precise <= rtt + 1)
            {
                rtt = precise;
            }
        }

        if (rloc.LastRttMilliseconds is { } previous)
        {
            rloc.JitterMilliseconds += (Math.Abs(rtt - previous) - rloc.JitterMilliseconds) / 16;
            rloc.SmoothedRttMilliseconds += (rtt - rloc.SmoothedRttMilliseconds) / 8;
        }
        else
        {
            rloc.SmoothedRttMilliseconds = rtt;
        }

        rloc.LastRttMilliseconds = rtt;
        rloc.Answered++;
        rloc.ConsecutiveLost = 0;
        bool changed = !rloc.Up || !rloc.Decided;
        if (!rloc.Up)
        {
            rloc.Up = true;
            context.Counters.Count(LispControlEvent.RlocUp);
        }

        rloc.Decided = true;
        changed |= UpdateDegraded(rloc);
        if (changed)
        {
            SetState(probed, rloc);
        }

        return true;
    }

    /// <summary>Probes not answered within the timeout are lost; a locator still up is probed again at once.</summary>
    private void ExpireProbes(long now)
    {
        foreach (var (address, rloc) in health)
        {
            if (rloc.OutstandingNonce is not { } nonce || now - rloc.SentAt < config.TimeoutMilliseconds)
            {
                continue;
            }

            outstanding.Remove(nonce);
            rloc.OutstandingNonce = null;
            rloc.Lost++;
            rloc.ConsecutiveLost++;
            if (rloc.Up && rloc.ConsecutiveLost >= config.DownAfter)
            {
                rloc.Up = false;
                rloc.Decided = true;
                SetState(address, rloc);
                context.Counters.Count(LispControlEvent.RlocDown);
            }
            else if (rloc.Up)
            {
                // Suspect: confirm or clear it now rather than an interval later. A down locator keeps its
                // interval schedule (it is probed to see it come back, not to confirm it is gone).
                rloc.NextProbeAt = now;
            }
        }
    }

    /// <summary>
    /// Finds the remote locators of the map-cache (new ones are probed at once), forgets the ones no mapping lists any
    /// more, and writes the known state into entries that were installed or refreshed since (a Map-Reply brings its
    /// locators as the ETR sees them, not as we measured them).
    /// </summary>
    private void Scan(long now)
    {
        if (context.Tables is not { } tables)
        {
            return;
        }

        var seen = new HashSet<IpAddress>();
        var view = tables.MapCache.View;
        for (uint slot = 0; slot < view.Length; slot++)
        {
            if (view[slot] is not { IsNegative: false } entry)
            {
                continue;
            }

            bool stale = false;
            foreach (var locator in entry.Locators)
            {
                if (context.IsLocalRloc(locator.Address))
                {
                    continue;
                }

                if (!health.TryGetValue(locator.Address, out var rloc))
                {
                    health[locator.Address] = rloc = new RlocHealth { NextProbeAt = now };
                }

                if (seen.Add(locator.Address))
                {
                    rloc.ProbedPrefix = entry.Prefix;
                }

                stale |= rloc.Decided && (locator.IsUp != rloc.Up || locator.IsDegraded != rloc.Degraded);
            }

            if (stale)
            {
                tables.MapCache.AddOrReplace(WithMeasuredHealth(entry));
            }
        }

        foreach (var address in health.Keys.Where(a => !seen.Contains(a) && health[a].OutstandingNonce is null).ToArray())
        {
            health.Remove(address);
        }
    }

    private void SendDueProbes(long now)
    {
        foreach (var (address, rloc) in health)
        {
            if (rloc.OutstandingNonce is not null || now < rloc.NextProbeAt)
            {
                continue;
            }

            rloc.NextProbeAt = now + interval;
            ulong nonce = LispControlContext.NewNonce();
            var probe = new MapRequest(nonce, LispAddress.None, MapResolverClient.ItrRlocs(context), [LispAddressing.ToLisp(rloc.ProbedPrefix)])
            {
                Probe = true,
            };
            var message = new byte[probe.Size];
            probe.Write(message);
            long sentAtUnixNanoseconds = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
            if (context.Send(address, message, LispControlEvent.RlocProbeSent))
            {
                outstanding[nonce] = address;
                rloc.OutstandingNonce = nonce;
                rloc.SentAt = now;
                rloc.SentAtUnixNanoseconds = sentAtUnixNanoseconds;
                rloc.Sent++;
            }
        }
    }

    /// <summary>Degraded above the threshold, healthy again at half of it; true when that changed.</summary>
    private bool UpdateDegraded(RlocHealth rloc)
    {
        if (config.DegradedJitterMilliseconds is not { } threshold)
        {
            return false;
        }

        bool degraded = rloc.Degraded ? rloc.JitterMilliseconds > threshold / 2.0 : rloc.JitterMilliseconds > threshold;
        if (degraded == rloc.Degraded)
        {
            return false;
        }

        rloc.Degraded = degraded;
        context.Counters.Count(degraded ? LispControlEvent.RlocDegraded : LispControlEvent.RlocHealthy);
        return true;
    }

    /// <summary>Writes <paramref name="rloc"/>'s state into every map-cache entry that lists <paramref name="address"/>.</summary>
    private void SetState(IpAddress address, RlocHealth rloc)
    {
        if (context.Tables is not { } tables)
        {
            return;
        }

        var view = tables.MapCache.View;
        for (uint slot = 0; slot < view.Length; slot++)
        {
            if (view[slot] is not { IsNegative: false } entry)
            {
                continue;
            }

            foreach (var locator in entry.Locators)
            {
                if (locator.Address == address && (locator.IsUp != rloc.Up || locator.IsDegraded != rloc.Degraded))
                {
                    tables.MapCache.AddOrReplace(WithMeasuredHealth(entry));
                    break;
                }
            }
        }
    }

    /// <summary>The entry with every locator we have a verdict on set to it (one new entry, one publication).</summary>
    private MapCacheEntry WithMeasuredHealth(MapCacheEntry entry)
    {
        var updated = entry;
        for (int i = 0; i < entry.Locators.Length; i++)
        {
            var locator = entry.Locators[i];
            if (health.TryGetValue(locator.Address, out var rloc) && rloc.Decided && (locator.IsUp != rloc.Up || locator.IsDegraded != rloc.Degraded))
            {
                updated = updated.WithLocatorHealth(i, rloc.Up, rloc.Degraded);
            }
        }

        return updated;
    }
}

/// <summary>What probing knows of one remote RLOC.</summary>
public sealed class RlocHealth
{
    public bool Up { get; set; } = true;

    /// <summary>Jitter above the configured threshold: yields to the healthy locators of the same priority.</summary>
    public bool Degraded { get; set; }

    /// <summary>A probe was answered or the locator was marked down: until then the map-cache keeps what the ETR said.</summary>
    public bool Decided { get; set; }

    public long Sent { get; set; }

    public long Answered { get; set; }

    public long Lost { get; set; }

    public int ConsecutiveLost { get; set; }

    public double? LastRttMilliseconds { get; set; }

    public double SmoothedRttMilliseconds { get; set; }

    public double JitterMilliseconds { get; set; }

    /// <summary>An EID prefix this RLOC serves, named in its probes (RFC 9301: a probe carries a record of the mapping).</summary>
    public EidPrefix ProbedPrefix { get; set; }

    public long NextProbeAt { get; set; }

    /// <summary>When the outstanding probe was sent, on the control thread's millisecond clock.</summary>
    public long SentAt { get; set; }

    /// <summary>The same instant on the wall clock, to measure against a port's receive timestamp.</summary>
    public long SentAtUnixNanoseconds { get; set; }

    public ulong? OutstandingNonce { get; set; }
}
