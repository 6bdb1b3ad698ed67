using Dataplane.Forwarding.Configuration;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Control.Lisp;

/// <summary>
/// RLOC probing (RFC 9301 7.1): every interval, a probe Map-Request (P bit) to each remote locator of every cached
/// mapping. An answer with the probe's nonce measures the round trip and marks the locator up; a run of unanswered
/// probes marks it down. The locator's state is written into every map-cache entry that holds it, so the ITR stops
/// (or starts again) choosing it at once. Per locator it keeps the last RTT, a smoothed RTT and the jitter
/// (the mean deviation between successive RTTs, as RFC 3550 measures it).
/// </summary>
public sealed class RlocProber(LispControlContext context, RlocProbingConfig config)
{
    private readonly Dictionary<ulong, (EidPrefix Prefix, IpAddress Rloc, long SentAt)> outstanding = [];
    private readonly Dictionary<IpAddress, RlocHealth> health = [];
    private long nextRound;

    public IReadOnlyDictionary<IpAddress, RlocHealth> Health => health;

    public void OnTick(long now)
    {
        foreach (var (nonce, probe) in outstanding.ToArray())
        {
            if (now - probe.SentAt >= config.TimeoutMilliseconds)
            {
                outstanding.Remove(nonce);
                var rloc = HealthOf(probe.Rloc);
                rloc.Lost++;
                rloc.ConsecutiveLost++;
                if (rloc.Up && rloc.ConsecutiveLost >= config.DownAfter)
                {
                    rloc.Up = false;
                    SetState(probe.Rloc, up: false);
                    context.Counters.Count(LispControlEvent.RlocDown);
                }
            }
        }

        if (now >= nextRound)
        {
            nextRound = now + config.IntervalSeconds * 1000L;
            ProbeAll(now);
        }
    }

    /// <summary>A Map-Reply with the P bit: true when it answered one of our probes.</summary>
    public bool OnProbeReply(MapReply reply, IpAddress from)
    {
        if (!outstanding.Remove(reply.Nonce, out var probe) || probe.Rloc != from)
        {
            return false;
        }

        var rloc = HealthOf(probe.Rloc);
        double rtt = context.Now - probe.SentAt;
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
        if (!rloc.Up)
        {
            rloc.Up = true;
            SetState(probe.Rloc, up: true);
            context.Counters.Count(LispControlEvent.RlocUp);
        }

        return true;
    }

    private void ProbeAll(long now)
    {
        if (context.Tables is not { } tables)
        {
            return;
        }

        var view = tables.MapCache.View;
        var probed = new HashSet<(EidPrefix, IpAddress)>();
        for (uint slot = 0; slot < view.Length; slot++)
        {
            if (view[slot] is not { IsNegative: false } entry)
            {
                continue;
            }

            foreach (var locator in entry.Locators)
            {
                if (context.IsLocalRloc(locator.Address) || !probed.Add((entry.Prefix, locator.Address)))
                {
                    continue;
                }

                ulong nonce = LispControlContext.NewNonce();
                var probe = new MapRequest(nonce, LispAddress.None, MapResolverClient.ItrRlocs(context), [LispAddressing.ToLisp(entry.Prefix)])
                {
                    Probe = true,
                };
                var message = new byte[probe.Size];
                probe.Write(message);
                if (context.Send(locator.Address, message, LispControlEvent.RlocProbeSent))
                {
                    outstanding[nonce] = (entry.Prefix, locator.Address, now);
                    HealthOf(locator.Address).Sent++;
                }
            }
        }
    }

    /// <summary>Marks <paramref name="rloc"/> up or down in every map-cache entry that lists it.</summary>
    private void SetState(IpAddress rloc, bool up)
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

            var updated = entry;
            for (int i = 0; i < entry.Locators.Length; i++)
            {
                if (entry.Locators[i].Address == rloc && entry.Locators[i].IsUp != up)
                {
                    updated = updated.WithLocatorState(i, up);
                }
            }

            if (!ReferenceEquals(updated, entry))
            {
                tables.MapCache.AddOrReplace(updated);
            }
        }
    }

    private RlocHealth HealthOf(IpAddress rloc)
    {
        if (!health.TryGetValue(rloc, out var state))
        {
            health[rloc] = state = new RlocHealth();
        }

        return state;
    }
}

/// <summary>What probing knows of one remote RLOC.</summary>
public sealed class RlocHealth
{
    public bool Up { get; set; } = true;

    public long Sent { get; set; }

    public long Answered { get; set; }

    public long Lost { get; set; }

    public int ConsecutiveLost { get; set; }

    public double? LastRttMilliseconds { get; set; }

    public double SmoothedRttMilliseconds { get; set; }

    public double JitterMilliseconds { get; set; }
}
