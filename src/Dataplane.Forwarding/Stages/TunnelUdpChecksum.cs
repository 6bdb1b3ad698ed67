using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;

namespace Dataplane.Forwarding.Stages;

/// <summary>
/// The one rule for the UDP checksum of tunnel packets addressed to one of our endpoints (GTP-U, VXLAN, LISP data):
/// 0 means none was sent and is accepted (RFC 768 over IPv4; RFC 6935 / 6936 allow it for tunnels over IPv6); any
/// other value must verify, as the Linux kernel (before a UDP tunnel socket sees the packet) and VPP (ip4-local /
/// ip6-local) require. A port may vouch for the checksum instead (<see cref="PacketFlags.ChecksumVouchedByPort"/>).
/// What a failure costs is the configuration's choice (<see cref="DataplaneConfig.TunnelUdpChecksum"/>): a drop by
/// default, or a count for peers that are known to get it wrong. Only tunnel packets to us are checked, and only
/// when the checksum is not 0: GTP-U over IPv4 almost always comes with 0, so the usual path pays one comparison.
/// </summary>
public static class TunnelUdpChecksum
{
    /// <summary>The configuration's choice: true for "accept" (count and let through), false for "verify" (drop).</summary>
    public static bool AcceptsBad(DataplaneConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.TunnelUdpChecksum switch
        {
            "verify" => false,
            "accept" => true,
            _ => throw new ConfigurationException("tunnelUdpChecksum", $"'{config.TunnelUdpChecksum}' is neither \"verify\" nor \"accept\""),
        };
    }

    /// <summary>
    /// True when the UDP datagram at <paramref name="l4"/> (frame offsets) carries no checksum, one the port vouched
    /// for, or one that verifies over the IP pseudo-header of the header at <paramref name="l3"/>. The caller has
    /// checked both headers are whole.
    /// </summary>
    public static bool IsAcceptable(in PacketDescriptor packet, Span<byte> frame, int l3, int l4, bool outerV4)
    {
        if (BinaryPrimitives.ReadUInt16BigEndian(frame[(l4 + 6)..]) == 0 || (packet.Flags & PacketFlags.ChecksumVouchedByPort) != 0)
        {
            return true;
        }

        return !UdpHeader.TryCreate(frame[l4..], out var udp) ? false
            : outerV4 ? udp.IsChecksumValid(Ipv4Address.Read(frame[(l3 + 12)..]), Ipv4Address.Read(frame[(l3 + 16)..]))
            : udp.IsChecksumValid(Ipv6Address.Read(frame[(l3 + 8)..]), Ipv6Address.Read(frame[(l3 + 24)..]));
    }

    /// <summary>
    /// The rule applied to a tunnel packet to us: None when the checksum is 0, vouched for or verifies, or when the
    /// configuration accepts a wrong one (counted as <see cref="ForwardingEvent.TunnelUdpChecksumBadAccepted"/>);
    /// <see cref="DropReason.TunnelUdpChecksumBad"/> otherwise.
    /// </summary>
    public static DropReason Check(in PacketDescriptor packet, Span<byte> frame, int l3, int l4, bool outerV4, bool acceptsBad, WorkerCounters counters)
    {
        if (IsAcceptable(in packet, frame, l3, l4, outerV4))
        {
            return DropReason.None;
        }

        if (!acceptsBad)
        {
            return DropReason.TunnelUdpChecksumBad;
        }

        counters.Count(ForwardingEvent.TunnelUdpChecksumBadAccepted);
        return DropReason.None;
    }
}
