using Dataplane.Tables.Time;

namespace Dataplane.Forwarding.Pipeline;

/// <summary>How a forwarding plane runs, apart from what the configuration file says.</summary>
public sealed record ForwardingPlaneOptions
{
    /// <summary>Time source for TTLs, aging and rate limits; replay and tests pass a manual clock.</summary>
    public IMonotonicClock Clock { get; init; } = StopwatchClock.Instance;

    /// <summary>
    /// When set, LISP nonces come from a deterministic generator seeded with this value (replay mode), so the same
    /// input gives byte-identical output; when null they are random, as RFC 9300 section 5.3 wants on a live link.
    /// </summary>
    public ulong? NonceSeed { get; init; }
}
