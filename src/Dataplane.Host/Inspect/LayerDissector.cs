using System.Text;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Host.Inspect;

/// <summary>
/// Names every header layer our wire views recognise in one frame, outermost first, with its key fields
/// ("eth ipv4[192.0.2.1>198.51.100.1] udp[61001>4341] lisp[iid=7 nonce=0xabcdef] ipv4[...] icmp[echo-request ...]").
/// This is the human-facing counterpart of the forwarding core's classifier: it allocates freely and is not on
/// any hot path. A frame one of our views refuses ends the walk with a reason naming the layer.
/// </summary>
public sealed class LayerDissector
{
    /// <summary>Tunnels inside tunnels are followed this deep; deeper nesting is reported, not walked.</summary>
    public const int MaxTunnelDepth = 4;

    private readonly StringBuilder _line = new();
    private readonly List<string> _layers = [];
    // Each layer added or refused with where it starts, for LayerAt.
    private readonly List<(string Layer, int Offset)> _starts = [];
    private byte[]? _measured;
    private int _mark;
    private int _tunnelDepth;

    /// <summary>The layers of the last frame, outermost first (names only, for tallies).</summary>
    public IReadOnlyList<string> Layers => _layers;

    /// <summary>Why the last frame could not be walked to its end, or null when every layer parsed.</summary>
    public string? FailureReason { get; private set; }

    /// <summary>The description of the last frame.</summary>
    public string Description => _line.ToString();

    /// <summary>
    /// The layer that holds byte <paramref name="offset"/> of <paramref name="frame"/>: the innermost one that starts
    /// at or before it ("ipv4", "udp", "lisp" ...), the layer a payload byte belongs to being the innermost header in front of it.
    /// </summary>
    public string LayerAt(ReadOnlySpan<byte> frame, bool rawIp, int offset)
    {
        // Walked over a copy so each layer's start is its offset in the copy (Mark).
        _measured = frame.ToArray();
        try
        {
            Dissect(_measured, rawIp);
        }
        finally
        {
            _measured = null;
        }

        string layer = rawIp ? "ip" : "eth";
        foreach (var (name, start) in _starts)
        {
            if (start <= offset)
            {
                layer = name;
            }
        }

        return layer;
    }

    public void Dissect(Span<byte> frame, bool rawIp)
    {
        _line.Clear();
        _layers.Clear();
        _starts.Clear();
        _mark = 0;
        FailureReason = null;
        _tunnelDepth = 0;
        if (rawIp)
        {
            Ip(frame);
        }
        else
        {
            Ethernet(frame);
        }
    }

    private void Ethernet(Span<byte> frame)
    {
        Mark(frame);
        if (!EthernetHeader.TryCreate(frame, out _))
        {
            Fail("eth", $"frame of {frame.Length} bytes is shorter than an Ethernet header");
            return;
        }

        if (!EthernetTagWalker.TryWalk(frame, out var layout))
        {
            Add("eth");
            Fail("vlan", "VLAN tag truncated or more than two tags");
            return;
        }

        Add("eth");
        if (layout.TagCount == 1)
        {
            Add("vlan", $"vid={layout.OuterVlanId}");
        }
        else if (layout.TagCount == 2)
        {
            Add("qinq", $"s-vid={layout.OuterVlanId} c-vid={layout.InnerVlanId}");
        }

        var payload = frame[layout.L3Offset..];
        switch (layout.EtherType)
        {
            case EtherType.Ipv4:
                Ipv4(payload);
                break;
            case EtherType.Ipv6:
                Ipv6(payload);
                break;
            case EtherType.Arp:
                Arp(payload);
                break;
            default:
                Add($"ethertype-0x{layout.EtherType:x4}");
                break;
        }
    }

    private void Ip(Span<byte> packet)
    {
        int version = packet.IsEmpty ? 0 : packet[0] >> 4;
        if (version == 4)
        {
            Ipv4(packet);
        }
        else if (version == 6)
        {
            Ipv6(packet);
        }
        else
        {
            Fail("ip", packet.IsEmpty ? "empty packet" : $"IP version {version} is neither 4 nor 6");
        }
    }

    private void Arp(Span<byte> payload)
    {
        Mark(payload);
        if (!ArpHeader.TryCreate(payload, out var arp))
        {
            Fail("arp", "truncated, or not Ethernet/IPv4 ARP (hlen 6, plen 4)");
            return;
        }

        string operation = arp.Operation switch
        {
            ArpOperation.Request => "request",
            ArpOperation.Reply => "reply",
            _ => $"op={arp.Operation}",
        };
        Add("arp", $"{operation} {arp.SenderProtocolAddress}>{arp.TargetProtocolAddress}");
    }

    private void Ipv4(Span<byte> payload)
    {
        Mark(payload);
        if (!Ipv4Header.TryCreate(payload, out var ip))
        {
            Fail("ipv4", Ipv4Refusal(payload));
            return;
        }

        string fragment = ip.IsFragment ? $" frag[off={ip.FragmentOffset * 8}{(ip.MoreFragments ? " more" : "")}]" : "";
        string checksum = ip.IsChecksumValid ? "" : " bad-checksum";
        Add("ipv4", $"{ip.Source}>{ip.Destination} ttl={ip.TimeToLive}{fragment}{checksum}");
        if (ip.FragmentOffset != 0)
        {
            return; // a later fragment carries no upper-layer header
        }

        Upper(ip.Protocol, ip.Payload);
    }

    private static string Ipv4Refusal(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 20)
        {
            return $"truncated: {payload.Length} bytes, a header needs 20";
        }

        int version = payload[0] >> 4;
        int headerLength = (payload[0] & 0xF) * 4;
        int totalLength = (payload[2] << 8) | payload[3];
        return version != 4 ? $"version {version}, not 4"
            : headerLength < 20 ? $"IHL {headerLength / 4} is below 5"
            : headerLength > payload.Length ? $"IHL says {headerLength} bytes, only {payload.Length} present"
            : totalLength < headerLength ? $"total length {totalLength} is shorter than the header ({headerLength})"
            : $"total length {totalLength} exceeds the {payload.Length} bytes present";
    }

    private void Ipv6(Span<byte> payload)
    {
        Mark(payload);
        if (!Ipv6Header.TryCreate(payload, out var ip))
        {
            Fail("ipv6", payload.Length < Ipv6Header.Length
                ? $"truncated: {payload.Length} bytes, a header needs {Ipv6Header.Length}"
                : "bad version or payload length exceeds the bytes present");
            return;
        }

        if (!ip.TryWalkExtensions(out var chain))
        {
            Add("ipv6", $"{ip.Source}>{ip.Destination} hlim={ip.HopLimit}");
            Fail("ipv6-ext", "extension-header chain truncated, lying about its length, or longer than the walker allows");
            return;
        }

        string extensions = chain.ExtensionCount > 0 ? $" ext={chain.ExtensionCount}" : "";
        string fragment = chain.HasFragmentHeader
            ? $" frag[off={chain.FragmentOffset * 8}{(chain.MoreFragments ? " more" : "")} id=0x{chain.FragmentIdentification:x}]"
            : "";
        Add("ipv6", $"{ip.Source}>{ip.Destination} hlim={ip.HopLimit}{extensions}{fragment}");
        if (chain.IsUpperLayerHeaderPresent)
        {
            Upper(chain.UpperLayerProtocol, payload[chain.UpperLayerOffset..(Ipv6Header.Length + ip.PayloadLength)]);
        }
    }

    private void Upper(byte protocol, Span<byte> payload)
    {
        Mark(payload);
        switch (protocol)
        {
            case IpProtocol.Udp:
                Udp(payload);
                break;
            case IpProtocol.Tcp:
                Tcp(payload);
                break;
            case IpProtocol.Icmp:
                Icmpv4(payload);
                break;
            case IpProtocol.Icmpv6:
                Icmpv6(payload);
                break;
            default:
                Add($"proto-{protocol}");
                break;
        }
    }

    private void Tcp(Span<byte> payload)
    {
        Mark(payload);
        if (!TcpHeader.TryCreate(payload, out var tcp))
        {
            Fail("tcp", payload.Length < 20 ? $"truncated: {payload.Length} bytes, a header needs 20" : "data offset below 5 or beyond the segment");
            return;
        }

        Add("tcp", $"{tcp.SourcePort}>{tcp.DestinationPort} {TcpFlagLetters(tcp.Flags)}");
    }

    private static string TcpFlagLetters(TcpFlags flags)
    {
        var letters = new StringBuilder();
        foreach (var (flag, letter) in new[] { (TcpFlags.Syn, 'S'), (TcpFlags.Fin, 'F'), (TcpFlags.Rst, 'R'), (TcpFlags.Psh, 'P'), (TcpFlags.Ack, 'A'), (TcpFlags.Urg, 'U'), (TcpFlags.Ece, 'E'), (TcpFlags.Cwr, 'C') })
        {
            if ((flags & flag) != 0)
            {
                letters.Append(letter);
            }
        }

        return letters.Length == 0 ? "none" : letters.ToString();
    }

    private void Icmpv4(Span<byte> payload)
    {
        Mark(payload);
        if (!Icmpv4Header.TryCreate(payload, out var icmp))
        {
            Fail("icmp", $"truncated: {payload.Length} bytes");
            return;
        }

        string what = icmp.Type switch
        {
            Icmpv4Type.EchoRequest => $"echo-request id={icmp.Identifier} seq={icmp.SequenceNumber}",
            Icmpv4Type.EchoReply => $"echo-reply id={icmp.Identifier} seq={icmp.SequenceNumber}",
            Icmpv4Type.DestinationUnreachable when icmp.Code == Icmpv4Type.CodeFragmentationNeeded => $"frag-needed mtu={icmp.NextHopMtu}",
            Icmpv4Type.DestinationUnreachable => $"unreachable code={icmp.Code}",
            Icmpv4Type.TimeExceeded => $"time-exceeded code={icmp.Code}",
            _ => $"type={icmp.Type} code={icmp.Code}",
        };
        Add("icmp", what + (icmp.IsChecksumValid ? "" : " bad-checksum"));
    }

    private void Icmpv6(Span<byte> payload)
    {
        Mark(payload);
        if (!Icmpv6Header.TryCreate(payload, out var icmp))
        {
            Fail("icmpv6", $"truncated: {payload.Length} bytes");
            return;
        }

        string what = icmp.Type switch
        {
            Icmpv6Type.EchoRequest => $"echo-request id={icmp.Identifier} seq={icmp.SequenceNumber}",
            Icmpv6Type.EchoReply => $"echo-reply id={icmp.Identifier} seq={icmp.SequenceNumber}",
            Icmpv6Type.PacketTooBig => $"packet-too-big mtu={icmp.Mtu}",
            Icmpv6Type.DestinationUnreachable => $"unreachable code={icmp.Code}",
            Icmpv6Type.NeighborSolicitation => "neighbor-solicitation",
            Icmpv6Type.NeighborAdvertisement => "neighbor-advertisement",
            _ => $"type={icmp.Type} code={icmp.Code}",
        };
        Add("icmpv6", what);
    }

    private void Udp(Span<byte> payload)
    {
        Mark(payload);
        if (!UdpHeader.TryCreate(payload, out var udp))
        {
            Fail("udp", payload.Length < UdpHeader.Length
                ? $"truncated: {payload.Length} bytes, a header needs 8"
                : $"length field {(payload[4] << 8) | payload[5]} is below 8 or beyond the {payload.Length} bytes present");
            return;
        }

        Add("udp", $"{udp.SourcePort}>{udp.DestinationPort}");
        var datagram = udp.Payload;
        switch (udp.DestinationPort)
        {
            case TunnelPorts.LispData:
                Lisp(datagram);
                break;
            case TunnelPorts.LispControl:
                Mark(datagram);
                Add("lisp-control", datagram.IsEmpty ? "empty" : $"type={datagram[0] >> 4}");
                break;
            case TunnelPorts.Vxlan:
                Vxlan(datagram);
                break;
            case TunnelPorts.VxlanGpe:
                VxlanGpe(datagram);
                break;
            case TunnelPorts.GtpU:
                GtpU(datagram);
                break;
            case TunnelPorts.GtpC:
                Mark(datagram);
                Add("gtp-c");
                break;
        }
    }

    private bool EnterTunnel(string layer)
    {
        if (++_tunnelDepth > MaxTunnelDepth)
        {
            Fail(layer, $"tunnels nested deeper than {MaxTunnelDepth}");
            return false;
        }

        return true;
    }

    private void Lisp(Span<byte> datagram)
    {
        Mark(datagram);
        if (!LispDataHeader.TryCreate(datagram, out var lisp))
        {
            Fail("lisp", $"truncated: {datagram.Length} bytes, a header needs 8");
            return;
        }

        var fields = new List<string>();
        if (lisp.InstanceIdPresent)
        {
            fields.Add($"iid={lisp.InstanceId}");
        }

        if (lisp.NoncePresent)
        {
            fields.Add($"nonce=0x{lisp.Nonce:x6}");
        }
        else if (lisp.HasMapVersions)
        {
            fields.Add($"map-version={lisp.SourceMapVersion}/{lisp.DestinationMapVersion}");
        }

        if (lisp.LocatorStatusBitsEnabled)
        {
            fields.Add($"lsb=0x{lisp.LocatorStatusBits:x}");
        }

        Add("lisp", string.Join(' ', fields));
        if (EnterTunnel("lisp"))
        {
            Ip(lisp.Payload);
        }
    }

    private void Vxlan(Span<byte> datagram)
    {
        Mark(datagram);
        if (!VxlanHeader.TryCreate(datagram, out var vxlan))
        {
            Fail("vxlan", $"truncated: {datagram.Length} bytes, a header needs 8");
            return;
        }

        Add("vxlan", $"vni={vxlan.Vni}");
        if (EnterTunnel("vxlan"))
        {
            Ethernet(vxlan.Payload);
        }
    }

    private void VxlanGpe(Span<byte> datagram)
    {
        Mark(datagram);
        if (!VxlanGpeHeader.TryCreate(datagram, out var gpe))
        {
            Fail("vxlan-gpe", $"truncated: {datagram.Length} bytes, a header needs 8");
            return;
        }

        Add("vxlan-gpe", $"vni={gpe.Vni} next={gpe.NextProtocol}");
        if (!EnterTunnel("vxlan-gpe"))
        {
            return;
        }

        switch (gpe.NextProtocol)
        {
            case VxlanGpeNextProtocol.Ethernet:
                Ethernet(gpe.Payload);
                break;
            case VxlanGpeNextProtocol.Ipv4:
            case VxlanGpeNextProtocol.Ipv6:
                Ip(gpe.Payload);
                break;
        }
    }

    private void GtpU(Span<byte> datagram)
    {
        Mark(datagram);
        if (!GtpUHeader.TryCreate(datagram, out var gtp))
        {
            Fail("gtpu", datagram.Length < GtpUHeader.MandatoryLength
                ? $"truncated: {datagram.Length} bytes, a header needs 8"
                : "not version 1 / PT 1, length field beyond the datagram, or a broken extension-header chain");
            return;
        }

        string type = gtp.MessageType switch
        {
            GtpUMessageType.GPdu => "g-pdu",
            GtpUMessageType.EchoRequest => "echo-request",
            GtpUMessageType.EchoResponse => "echo-response",
            GtpUMessageType.ErrorIndication => "error-indication",
            GtpUMessageType.EndMarker => "end-marker",
            _ => $"type={(byte)gtp.MessageType}",
        };
        string qfi = gtp.TryGetPduSessionContainer(out var container) ? $" qfi={container.Qfi} {(container.PduType == PduSessionInformationType.Uplink ? "ul" : "dl")}" : "";
        Add("gtpu", $"{type} teid=0x{gtp.Teid:x}{qfi}");
        if (gtp.MessageType == GtpUMessageType.GPdu && EnterTunnel("gtpu"))
        {
            Ip(gtp.Payload);
        }
    }

    private void Add(string layer, string fields = "")
    {
        _layers.Add(layer);
        _starts.Add((layer, _mark));
        if (_line.Length > 0)
        {
            _line.Append(' ');
        }

        _line.Append(layer);
        if (fields.Length > 0)
        {
            _line.Append('[').Append(fields).Append(']');
        }
    }

    /// <summary>Notes where the layer about to be added starts, when <see cref="LayerAt"/> is measuring.</summary>
    private void Mark(ReadOnlySpan<byte> layer)
    {
        if (_measured is not null && _measured.AsSpan().Overlaps(layer, out int offset))
        {
            _mark = offset;
        }
    }

    private void Fail(string layer, string reason)
    {
        _starts.Add((layer, _mark));
        FailureReason = $"{layer}: {reason}";
        if (_line.Length > 0)
        {
            _line.Append(' ');
        }

        _line.Append('!').Append(layer).Append(" (").Append(reason).Append(')');
    }
}
