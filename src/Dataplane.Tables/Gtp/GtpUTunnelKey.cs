using Dataplane.Wire.Addresses;

namespace Dataplane.Tables.Gtp;

/// <summary>
/// What identifies a GTP-U tunnel on receive (3GPP TS 29.281 section 4.1: the TEID is only unique per receiving
/// endpoint, so the local address is part of the key; the peer is too, so two peers that picked the same TEID
/// for us, or a TOF that learns both directions of the same link, never collide).
/// </summary>
/// <param name="Peer">The outer source of packets arriving on the tunnel (the remote endpoint).</param>
/// <param name="Local">The outer destination (our endpoint address).</param>
/// <param name="Teid">The TEID the peer sends to us.</param>
public readonly record struct GtpUTunnelKey(IpAddress Peer, IpAddress Local, uint Teid);
