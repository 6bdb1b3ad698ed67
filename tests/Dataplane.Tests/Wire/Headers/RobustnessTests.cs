using Dataplane.Wire.Headers;

namespace Dataplane.Tests.Wire.Headers;

/// <summary>
/// Hostile input: every truncation of valid packets, valid packets with random bytes changed, and random
/// buffers. Every view either refuses or yields a view whose getters (spans and checksum helpers included)
/// stay inside the buffer. Buffers are exact-size arrays, so any read past the end would throw.
/// </summary>
public class RobustnessTests
{
    private delegate void Probe(byte[] bytes);

    private static readonly (string Name, Probe Probe)[] Probes =
    [
        ("ethernet", ProbeEthernet),
        ("vlan", ProbeVlan),
        ("ethernet tags", ProbeTagWalker),
        ("arp", ProbeArp),
        ("ipv4", ProbeIpv4),
        ("ipv6", ProbeIpv6),
        ("ipv6 extensions", ProbeIpv6Walker),
        ("udp", ProbeUdp),
        ("tcp", ProbeTcp),
        ("icmpv4", ProbeIcmpv4),
        ("icmpv6", ProbeIcmpv6),
    ];

    public static TheoryData<string> ValidFrames => ["qinq-ipv4-udp", "ipv4-tcp", "ipv4-icmp", "ipv6-udp", "ipv6-tcp", "ipv6-ptb", "ipv6-frag", "arp"];

    [Theory]
    [MemberData(nameof(ValidFrames))]
    public void Every_truncation_at_every_offset_is_refused_or_stays_in_bounds(string name)
    {
        byte[] frame = Frame(name);
        for (int start = 0; start < frame.Length; start++)
        {
            for (int end = start; end <= frame.Length; end++)
            {
                RunAllProbes(frame[start..end], $"{name} [{start}..{end})");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ValidFrames))]
    public void Truncating_below_a_declared_length_is_refused(string name)
    {
        byte[] frame = Frame(name);
        Assert.True(EthernetTagWalker.TryWalk(frame, out var layout));
        byte[] l3 = frame[layout.L3Offset..];
        for (int length = 0; length < l3.Length; length++)
        {
            byte[] cut = l3[..length];
            switch (layout.EtherType)
            {
                case EtherType.Ipv4:
                    Assert.False(Ipv4Header.TryCreate(cut, out _), $"{name}: ipv4 cut to {length}");
                    break;
                case EtherType.Ipv6:
                    Assert.False(Ipv6Header.TryCreate(cut, out _), $"{name}: ipv6 cut to {length}");
                    Assert.False(Ipv6ExtensionWalker.TryWalk(cut, out _), $"{name}: walker cut to {length}");
                    break;
                case EtherType.Arp:
                    Assert.False(ArpHeader.TryCreate(cut, out _), $"{name}: arp cut to {length}");
                    break;
            }
        }

        for (int length = 0; length < EthernetHeader.Length; length++)
        {
            Assert.False(EthernetHeader.TryCreate(frame[..length], out _));
        }
    }

    [Fact]
    public void Udp_and_tcp_refuse_truncations_below_their_lengths()
    {
        byte[] udp = Frame("ipv6-udp")[54..];
        for (int length = 0; length < udp.Length; length++)
        {
            Assert.False(UdpHeader.TryCreate(udp[..length], out _));
        }

        byte[] tcp = Frame("ipv4-tcp")[34..];
        for (int length = 0; length < 24; length++)
        {
            Assert.False(TcpHeader.TryCreate(tcp[..length], out _));
        }
    }

    [Theory]
    [MemberData(nameof(ValidFrames))]
    public void Valid_frames_with_random_bytes_changed_never_throw(string name)
    {
        byte[] frame = Frame(name);
        var random = new Random(name.Length * 7919);
        for (int round = 0; round < 400; round++)
        {
            byte[] mutated = (byte[])frame.Clone();
            int changes = random.Next(1, 5);
            for (int i = 0; i < changes; i++)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }

            for (int start = 0; start < Math.Min(mutated.Length, 80); start += 2)
            {
                RunAllProbes(mutated[start..], $"{name} mutated round {round} at {start}");
            }
        }
    }

    [Fact]
    public void Random_buffers_never_throw()
    {
        var random = new Random(20240607);
        for (int round = 0; round < 5000; round++)
        {
            var bytes = new byte[random.Next(0, 160)];
            random.NextBytes(bytes);

            // Steer a share of the buffers past the version checks so the deeper paths get exercised too.
            if (bytes.Length > 0 && round % 3 != 0)
            {
                bytes[0] = (byte)((round % 2 == 0 ? 0x40 : 0x60) | (bytes[0] & 0x0F));
            }

            if (bytes.Length > 6 && round % 4 == 1)
            {
                bytes[4] = 0;
                bytes[5] = (byte)Math.Max(0, bytes.Length - 40);
                bytes[6] = (byte)(random.Next(2) == 0 ? IpProtocol.DestinationOptions : random.Next(256));
            }

            RunAllProbes(bytes, $"random round {round}");
        }
    }

    [Fact]
    public void A_probe_does_notice_an_out_of_bounds_read()
    {
        // Guards the harness itself: a read past an exact-size array must surface as a failure.
        Assert.ThrowsAny<Exception>(() => RunAllProbes([], "self-check", extra: bytes => _ = bytes[0]));
    }

    private static void RunAllProbes(byte[] bytes, string what, Probe? extra = null)
    {
        foreach (var (name, probe) in Probes)
        {
            try
            {
                probe(bytes);
            }
            catch (Exception e)
            {
                Assert.Fail($"{name} threw on {what} ({Convert.ToHexString(bytes)}): {e}");
            }
        }

        extra?.Invoke(bytes);
    }

    private static byte[] Frame(string name)
    {
        byte[] data = "0123456789abcdefghijklmnopq"u8.ToArray();
        return name switch
        {
            "qinq-ipv4-udp" => OurFrames.QinQIpv4Udp(data),
            "ipv4-tcp" => OurFrames.Ipv4Tcp(data),
            "ipv4-icmp" => OurFrames.Ipv4IcmpEcho(data),
            "ipv6-udp" => OurFrames.Ipv6Udp(data),
            "ipv6-tcp" => OurFrames.Ipv6Tcp(data),
            "ipv6-ptb" => OurFrames.Ipv6PacketTooBig(OurFrames.Ipv6Udp(data)[14..]),
            "ipv6-frag" => OurFrames.Ipv6FragmentedUdp(data),
            "arp" => OurFrames.ArpRequest(),
            _ => throw new ArgumentException(name),
        };
    }

    private static void ProbeEthernet(byte[] bytes)
    {
        if (EthernetHeader.TryCreate(bytes, out var eth))
        {
            _ = (eth.Destination, eth.Source, eth.EtherType, eth.HeaderLength);
            Assert.Equal(bytes.Length - 14, eth.Payload.Length);
        }
    }

    private static void ProbeVlan(byte[] bytes)
    {
        if (VlanTag.TryCreate(bytes, out var tag))
        {
            _ = (tag.Tci, tag.PriorityCodePoint, tag.DropEligible, tag.VlanId, tag.EtherType, tag.HeaderLength, tag.Payload.Length);
        }
    }

    private static void ProbeTagWalker(byte[] bytes)
    {
        if (EthernetTagWalker.TryWalk(bytes, out var layout))
        {
            Assert.InRange(layout.L3Offset, 14, bytes.Length);
            Assert.InRange(layout.TagCount, 0, 2);
        }
    }

    private static void ProbeArp(byte[] bytes)
    {
        if (ArpHeader.TryCreate(bytes, out var arp))
        {
            _ = (arp.HardwareType, arp.ProtocolType, arp.HardwareLength, arp.ProtocolLength, arp.Operation);
            _ = (arp.SenderHardwareAddress, arp.SenderProtocolAddress, arp.TargetHardwareAddress, arp.TargetProtocolAddress);
        }
    }

    private static void ProbeIpv4(byte[] bytes)
    {
        if (Ipv4Header.TryCreate(bytes, out var ip))
        {
            _ = (ip.Version, ip.Ihl, ip.Dscp, ip.Ecn, ip.Identification, ip.Flags, ip.ReservedFlag, ip.DontFragment, ip.MoreFragments);
            _ = (ip.FragmentOffset, ip.IsFragment, ip.TimeToLive, ip.Protocol, ip.Checksum, ip.Source, ip.Destination);
            _ = (ip.ComputeChecksum(), ip.IsChecksumValid, ip.PseudoHeaderSum(ip.Payload.Length));
            Assert.Equal(ip.HeaderLength - 20, ip.Options.Length);
            Assert.Equal(ip.TotalLength - ip.HeaderLength, ip.Payload.Length);
            Assert.Equal(ip.TotalLength, ip.Packet.Length);
        }
    }

    private static void ProbeIpv6(byte[] bytes)
    {
        if (Ipv6Header.TryCreate(bytes, out var ip))
        {
            _ = (ip.Version, ip.TrafficClass, ip.Dscp, ip.Ecn, ip.FlowLabel, ip.NextHeader, ip.HopLimit, ip.Source, ip.Destination);
            _ = ip.PseudoHeaderSum(IpProtocol.Udp, ip.Payload.Length);
            Assert.Equal(ip.PayloadLength, ip.Payload.Length);
            _ = ip.TryWalkExtensions(out _);
        }
    }

    private static void ProbeIpv6Walker(byte[] bytes)
    {
        if (Ipv6ExtensionWalker.TryWalk(bytes, out var chain))
        {
            Assert.InRange(chain.UpperLayerOffset, 40, bytes.Length);
            Assert.InRange(chain.ExtensionCount, 0, Ipv6ExtensionWalker.MaxExtensionHeaders);
            _ = chain.IsUpperLayerHeaderPresent;
        }
    }

    private static void ProbeUdp(byte[] bytes)
    {
        if (UdpHeader.TryCreate(bytes, out var udp))
        {
            _ = (udp.SourcePort, udp.DestinationPort, udp.TotalLength, udp.Checksum, udp.HeaderLength);
            _ = (udp.ComputeChecksum(0), udp.IsChecksumValid(0));
            Assert.Equal(udp.TotalLength - 8, udp.Payload.Length);
        }
    }

    private static void ProbeTcp(byte[] bytes)
    {
        if (TcpHeader.TryCreate(bytes, out var tcp))
        {
            _ = (tcp.SourcePort, tcp.DestinationPort, tcp.SequenceNumber, tcp.AcknowledgmentNumber, tcp.DataOffset, tcp.Flags);
            _ = (tcp.Fin, tcp.Syn, tcp.Rst, tcp.Psh, tcp.Ack, tcp.Urg, tcp.Ece, tcp.Cwr, tcp.Window, tcp.Checksum, tcp.UrgentPointer);
            _ = (tcp.ComputeChecksum(0), tcp.IsChecksumValid(0));
            Assert.Equal(tcp.HeaderLength - 20, tcp.Options.Length);
            Assert.Equal(bytes.Length - tcp.HeaderLength, tcp.Payload.Length);
        }
    }

    private static void ProbeIcmpv4(byte[] bytes)
    {
        if (Icmpv4Header.TryCreate(bytes, out var icmp))
        {
            _ = (icmp.Type, icmp.Code, icmp.Checksum, icmp.RestOfHeader, icmp.Identifier, icmp.SequenceNumber, icmp.NextHopMtu);
            _ = (icmp.Pointer, icmp.GatewayAddress, icmp.Payload.Length, icmp.InvokingPacket.Length, icmp.ComputeChecksum(), icmp.IsChecksumValid);
        }
    }

    private static void ProbeIcmpv6(byte[] bytes)
    {
        if (Icmpv6Header.TryCreate(bytes, out var icmp))
        {
            _ = (icmp.Type, icmp.Code, icmp.Checksum, icmp.RestOfHeader, icmp.Identifier, icmp.SequenceNumber, icmp.Mtu, icmp.Pointer);
            _ = (icmp.Payload.Length, icmp.InvokingPacket.Length);
            _ = (icmp.ComputeChecksum(0), icmp.IsChecksumValid(OurFrames.V6Source, OurFrames.V6Destination));
        }
    }
}
