using Dataplane.Wire.Addresses;

namespace Dataplane.Tables.Gtp;

/// <summary>
/// One GTP-U tunnel, immutable so a reader that holds it never sees a half-updated entry; a change is a new
/// object published by <see cref="GtpUTunnelTable"/>.
/// </summary>
/// <param name="Name">For operators and error messages.</param>
/// <param name="Local">Our endpoint address: outer destination on receive, outer source on send.</param>
/// <param name="Peer">The remote endpoint (gNB / eNodeB / UPF / SGW).</param>
/// <param name="TeidIn">The TEID the peer sends to us.</param>
/// <param name="TeidOut">The TEID we send to the peer with.</param>
/// <param name="UePrefix">The inner (UE) address or prefix, with the instance ID of the tunnel.</param>
/// <param name="Qfi">When set, sent G-PDUs carry a PDU Session Container (DL PDU SESSION INFORMATION, TS 38.415) with this QFI.</param>
public sealed record GtpUTunnel(string Name, IpAddress Local, IpAddress Peer, uint TeidIn, uint TeidOut, EidPrefix UePrefix, byte? Qfi)
{
    /// <summary>Largest QoS Flow Identifier: 6 bits (TS 38.415 section 5.5.3.3).</summary>
    public const byte MaxQfi = 0x3F;

    public GtpUTunnelKey Key => new(Peer, Local, TeidIn);

    /// <summary>The instance / VRF of the inner packets.</summary>
    public uint InstanceId => UePrefix.InstanceId;

    /// <summary>True when <see cref="UePrefix"/> is a single address (the common case: one UE, one address).</summary>
    public bool IsHostRoute => UePrefix.PrefixLength == UePrefix.Address.BitLength;
}
