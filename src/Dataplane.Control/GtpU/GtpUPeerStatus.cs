using Dataplane.Wire.Addresses;

namespace Dataplane.Control.GtpU;

/// <summary>
/// One GTP-U path as the supervisor last saw it: echoes sent and answered, how many in a row went unanswered, the
/// restart counter of the last Echo Response and how often it changed, the last round trip.
/// </summary>
public sealed record GtpUPeerStatus(
    IpAddress Local,
    IpAddress Peer,
    GtpUPeerState State,
    long EchoesSent,
    long EchoesAnswered,
    int MissedInARow,
    byte? RestartCounter,
    int Restarts,
    double? LastRttMilliseconds);
