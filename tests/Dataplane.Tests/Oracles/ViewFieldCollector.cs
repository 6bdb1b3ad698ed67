using System.Globalization;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Tests.Oracles;

/// <summary>
/// Reads a frame with our wire views only and records what they say under tshark's field names, formatted as
/// tshark prints them, so the two can be compared field by field, occurrence by occurrence (outer layers first).
/// ICMP errors are followed into the packet they quote, as tshark does.
/// </summary>
internal sealed class ViewFieldCollector
{
    private readonly Dictionary<string, List<string>> _fields = [];

    public static IReadOnlyDictionary<string, List<string>> Collect(Span<byte> frame)
    {
        var collector = new ViewFieldCollector();
        collector.Ethernet(frame);
        return collector._fields;
    }

    private void Add(string field, object value) =>
        (_fields.TryGetValue(field, out var values) ? values : _fields[field] = []).Add(Convert.ToString(value, CultureInfo.InvariantCulture)!);

    private void Ethernet(Span<byte> frame)
    {
        Assert.True(EthernetHeader.TryCreate(frame, out var eth));
        Add("eth.src", eth.Source);
        Add("eth.dst", eth.Destination);
        Assert.True(EthernetTagWalker.TryWalk(frame, out var layout));
        if (layout.TagCount == 2)
        {
            Add("ieee8021ad.id", layout.OuterVlanId);
            Add("vlan.id", layout.InnerVlanId);
        }
        else if (layout.TagCount == 1)
        {
            Add("vlan.id", layout.OuterVlanId);
        }

        var payload = frame[layout.L3Offset..];
        if (layout.EtherType == EtherType.Arp)
        {
            Assert.True(ArpHeader.TryCreate(payload, out var arp));
            Add("arp.opcode", arp.Operation);
            Add("arp.src.proto_ipv4", arp.SenderProtocolAddress);
            Add("arp.dst.proto_ipv4", arp.TargetProtocolAddress);
        }
        else
        {
            Ip(payload);
        }
    }

    private void Ip(Span<byte> packet)
    {
        if ((packet[0] >> 4) == 4)
        {
            Assert.True(Ipv4Header.TryCreate(packet, out var ip));
            Ipv4Fields(ip);
            if (!ip.IsFragment) // tshark waits for reassembly before dissecting a fragment's payload
            {
                Upper(ip.Protocol, ip.Payload);
            }
        }
        else
        {
            Assert.True(Ipv6Header.TryCreate(packet, out var ip));
            Ipv6Fields(ip);
            Assert.True(ip.TryWalkExtensions(out var chain));
            if (chain.HasFragmentHeader)
            {
                Add("ipv6.fraghdr.ident", $"0x{chain.FragmentIdentification:x8}");
                Add("ipv6.fraghdr.more", chain.MoreFragments ? 1 : 0);
            }

            if (chain.IsUpperLayerHeaderPresent && !chain.HasFragmentHeader)
            {
                Upper(chain.UpperLayerProtocol, packet[chain.UpperLayerOffset..(Ipv6Header.Length + ip.PayloadLength)]);
            }
        }
    }

    private void Ipv4Fields(Ipv4Header ip)
    {
        Add("ip.src", ip.Source);
        Add("ip.dst", ip.Destination);
        Add("ip.ttl", ip.TimeToLive);
        Add("ip.proto", ip.Protocol);
        Add("ip.flags.mf", ip.MoreFragments ? 1 : 0);
        Add("ip.id", $"0x{ip.Identification:x4}");
    }

    private void Ipv6Fields(Ipv6Header ip)
    {
        Add("ipv6.src", ip.Source);
        Add("ipv6.dst", ip.Destination);
        Add("ipv6.hlim", ip.HopLimit);
        Add("ipv6.nxt", ip.NextHeader);
    }

    private void Upper(byte protocol, Span<byte> payload)
    {
        switch (protocol)
        {
            case IpProtocol.Udp:
                Assert.True(UdpHeader.TryCreate(payload, out var udp));
                Add("udp.srcport", udp.SourcePort);
                Add("udp.dstport", udp.DestinationPort);
                Tunnel(udp.DestinationPort, udp.Payload);
                break;
            case IpProtocol.Tcp:
                Assert.True(TcpHeader.TryCreate(payload, out var tcp));
                Add("tcp.srcport", tcp.SourcePort);
                Add("tcp.dstport", tcp.DestinationPort);
                Add("tcp.flags", $"0x{(int)tcp.Flags:x4}");
                Add("tcp.seq_raw", tcp.SequenceNumber);
                break;
            case IpProtocol.Icmp:
                Assert.True(Icmpv4Header.TryCreate(payload, out var icmp));
                Add("icmp.type", icmp.Type);
                Add("icmp.code", icmp.Code);
                if (icmp.Type is Icmpv4Type.EchoRequest or Icmpv4Type.EchoReply)
                {
                    Add("icmp.ident", icmp.Identifier);
                    Add("icmp.seq", icmp.SequenceNumber);
                }
                else if (icmp.Type == Icmpv4Type.DestinationUnreachable)
                {
                    if (icmp.Code == Icmpv4Type.CodeFragmentationNeeded)
                    {
                        Add("icmp.mtu", icmp.NextHopMtu);
                    }

                    QuotedIpv4(icmp.InvokingPacket);
                }

                break;
            case IpProtocol.Icmpv6:
                Assert.True(Icmpv6Header.TryCreate(payload, out var icmp6));
                Add("icmpv6.type", icmp6.Type);
                Add("icmpv6.code", icmp6.Code);
                if (icmp6.Type is Icmpv6Type.EchoRequest or Icmpv6Type.EchoReply)
                {
                    Add("icmpv6.echo.identifier", $"0x{icmp6.Identifier:x4}");
                    Add("icmpv6.echo.sequence_number", icmp6.SequenceNumber);
                }
                else if (icmp6.Type is Icmpv6Type.PacketTooBig or Icmpv6Type.DestinationUnreachable)
                {
                    if (icmp6.Type == Icmpv6Type.PacketTooBig)
                    {
                        Add("icmpv6.mtu", icmp6.Mtu);
                    }

                    QuotedIpv6(icmp6.InvokingPacket);
                }

                break;
        }
    }

    // An ICMP error quotes the start of a packet whose length fields describe the original, so the strict
    // TryCreate refuses it; the fixed fields are still inside the quote and are read through TryCreateForWrite.
    private void QuotedIpv4(Span<byte> quote)
    {
        Assert.True(Ipv4Header.TryCreateForWrite(quote, out var ip));
        Ipv4Fields(ip);
        QuotedPorts(ip.Protocol, quote[ip.HeaderLength..]);
    }

    private void QuotedIpv6(Span<byte> quote)
    {
        Assert.True(Ipv6Header.TryCreateForWrite(quote, out var ip));
        Ipv6Fields(ip);
        QuotedPorts(ip.NextHeader, quote[Ipv6Header.Length..]);
    }

    private void QuotedPorts(byte protocol, Span<byte> quote)
    {
        if (protocol == IpProtocol.Udp && UdpHeader.TryCreateForWrite(quote, out var udp))
        {
            Add("udp.srcport", udp.SourcePort);
            Add("udp.dstport", udp.DestinationPort);
        }
    }

    private void Tunnel(ushort port, Span<byte> payload)
    {
        switch (port)
        {
            case TunnelPorts.LispData:
                Assert.True(LispDataHeader.TryCreate(payload, out var lisp));
                if (lisp.NoncePresent)
                {
                    Add("lisp-data.nonce", lisp.Nonce);
                }

                if (lisp.HasMapVersions)
                {
                    Add("lisp-data.srcmapver", lisp.SourceMapVersion);
                    Add("lisp-data.dstmapver", lisp.DestinationMapVersion);
                }

                if (lisp.InstanceIdPresent)
                {
                    Add("lisp-data.iid", lisp.InstanceId);
                }

                Ip(lisp.Payload);
                break;
            case TunnelPorts.Vxlan:
                Assert.True(VxlanHeader.TryCreate(payload, out var vxlan));
                Add("vxlan.vni", vxlan.Vni);
                Ethernet(vxlan.Payload);
                break;
            case TunnelPorts.GtpU:
                Assert.True(GtpUHeader.TryCreate(payload, out var gtp));
                Add("gtp.message", $"0x{(byte)gtp.MessageType:x2}");
                Add("gtp.teid", $"0x{gtp.Teid:x8}");
                if (gtp.TryGetPduSessionContainer(out var container))
                {
                    Add("gtp.ext_hdr.pdu_ses_con.qos_flow_id", container.Qfi);
                }

                Ip(gtp.Payload);
                break;
        }
    }
}
