using Dataplane.Wire.Addresses;

namespace Dataplane.Control.GtpU;

/// <summary>What changed on a GTP-U path: it came up, went down, or the peer's restart counter changed (it restarted).</summary>
public enum GtpUPeerEventKind
{
    Up,
    Down,
    Restarted,
}

/// <summary>One change of a path, from our address <paramref name="Local"/> to <paramref name="Peer"/>, as published on the control socket (topic "gtpu.peer").</summary>
public sealed record GtpUPeerEvent(GtpUPeerEventKind Kind, IpAddress Local, IpAddress Peer, byte? RestartCounter);
