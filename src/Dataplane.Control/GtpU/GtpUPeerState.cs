namespace Dataplane.Control.GtpU;

/// <summary>What the Echo Requests tell of a GTP-U peer.</summary>
public enum GtpUPeerState
{
    /// <summary>No Echo Response yet, and not yet enough missed to call the path down.</summary>
    Unknown,

    /// <summary>The peer answered the last Echo Request, or fewer than the limit went unanswered since.</summary>
    Up,

    /// <summary>The limit of Echo Requests in a row went unanswered: path failure (TS 23.007 section 20).</summary>
    Down,
}
