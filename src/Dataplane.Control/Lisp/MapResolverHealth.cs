using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Lisp;

/// <summary>
/// What the ITR knows of one map-resolver: whether it answers. A Map-Reply to a request comes from the ETR or the
/// map-server behind the resolver, never from the resolver's address, so a request's answer is credited to the
/// resolver its latest transmission went to. <c>resolverDownAfter</c> transmissions in a row that got no answer
/// within their retransmission time mark it down; it is tried again after <c>resolverRetrySeconds</c>, and its first
/// answer marks it up.
/// </summary>
public sealed class MapResolverHealth(IpAddress address)
{
    public IpAddress Address { get; } = address;

    public bool Up { get; internal set; } = true;

    /// <summary>Map-Requests sent to it, retransmissions included.</summary>
    public long Sent { get; internal set; }

    /// <summary>Map-Requests whose answer came while it was the one asked.</summary>
    public long Answered { get; internal set; }

    /// <summary>Map-Requests in a row it left unanswered (reset by an answer).</summary>
    public int UnansweredInARow { get; internal set; }

    /// <summary>When it last answered, on the control plane's millisecond clock; null before its first answer.</summary>
    public long? LastAnswerAt { get; internal set; }

    /// <summary>While down: when it may be tried again (one request per hold-down).</summary>
    public long RetryAt { get; internal set; }

    /// <summary>Whether a new request may go to it at <paramref name="now"/>: it is up, or its hold-down is over.</summary>
    internal bool Eligible(long now) => Up || now >= RetryAt;
}
