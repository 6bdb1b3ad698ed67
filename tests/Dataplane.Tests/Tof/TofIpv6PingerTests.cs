using Dataplane.Control.Tof;
using Dataplane.Forwarding.Tof;
using Dataplane.Tests.GtpU;
using Dataplane.Tests.Oracles;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tof;

/// <summary>The pinger's probes for IPv6 UEs and over IPv6 S1-U, checked by Scapy (fields, and every checksum recomputed).</summary>
public sealed class TofIpv6PingerTests : IDisposable
{
    private const string Pinger = """, "pinger": { "pdnAddress": "192.0.2.200", "pdnAddress6": "2001:db8:53::1", "intervalMilliseconds": 100, "limit": 2 }""";

    private readonly TofTestPlane tof = new(Pinger, ipv6: true);

    [Fact]
    public void An_ipv6_ues_probe_is_an_icmpv6_echo_request_from_its_address_inside_its_ipv6_uplink_with_its_qfi()
    {
        var learn = ScapyFrames.Build("Ether()/IPv6(src='2001:db8:e::10', dst='2001:db8:5::20')/UDP(sport=2152, dport=2152)"
            + "/GTP_U_Header(teid=0x1001, E=1, next_ex=0x85)/GTPPDUSessionContainer(type=1, QFI=6)/IPv6(src='2001:db8:1:2::a', dst='2001:db8:ff::1')/UDP()");
        tof.Process((TofTestPlane.EnbPort, learn[0]));
        Assert.True(tof.Tof.TryGetTunnel(Ipv6Address.Parse("2001:db8:1:2::99"), out var tunnel)); // any address of the /64
        byte[] probe = TofEchoRequest.Build(tunnel, Ipv6Address.Parse("2001:db8:53::1"), 4)!;
        Assert.Null(TofEchoRequest.Build(tunnel, Ipv4Address.Parse("192.0.2.200"), 4)); // no ICMPv4 from an IPv6 UE

        string script = "from scapy.all import *\nfrom scapy.contrib.gtp import *\n"
            + $"p = IPv6(bytes.fromhex('{Convert.ToHexString(probe)}'))\n"
            + "i = p[GTP_U_Header].payload\nwhile not isinstance(i, IPv6): i = i.payload\n"
            + "c = p[GTPPDUSessionContainer]\ne = i[ICMPv6EchoRequest]\n"
            + "print(p.src, p.dst, p.hlim, p[UDP].sport, p[UDP].dport, hex(p[GTP_U_Header].teid), c.type, c.QFI, i.src, i.dst, hex(e.id), e.seq, e.data)\n"
            + "u = p.copy(); del u[UDP].chksum; v = i.copy(); del v[ICMPv6EchoRequest].cksum\n"
            + "print(IPv6(raw(u))[UDP].chksum == p[UDP].chksum, IPv6(raw(v))[ICMPv6EchoRequest].cksum == e.cksum, p.plen == len(p.payload))\n";
        string[] lines = ScapyOracle.Run("-c", script).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("2001:db8:e::10 2001:db8:5::20 64 2152 2152 0x1001 1 6 2001:db8:1:2::a 2001:db8:53::1 0x5446 4 b'dataplane-tof-ue'", lines[0]);
        Assert.Equal("True True True", lines[1]);
    }

    [Fact]
    public void An_ipv4_ues_probe_rides_its_ipv6_uplink_with_a_computed_udp_checksum()
    {
        var learn = ScapyFrames.Build("Ether()/IPv6(src='2001:db8:e::10', dst='2001:db8:5::20')/UDP(sport=2152, dport=2152)"
            + "/GTP_U_Header(teid=0x1002)/IP(src='10.45.0.7', dst='8.8.8.8')/UDP()");
        tof.Process((TofTestPlane.EnbPort, learn[0]));
        Assert.True(tof.Tof.TryGetTunnel(Ipv4Address.Parse("10.45.0.7"), out var tunnel));
        byte[] probe = TofEchoRequest.Build(tunnel, Ipv4Address.Parse("192.0.2.200"), 1)!;

        string script = "from scapy.all import *\nfrom scapy.contrib.gtp import *\n"
            + $"p = IPv6(bytes.fromhex('{Convert.ToHexString(probe)}'))\n"
            + "i = p[GTP_U_Header][IP]\n"
            + "print(p.src, p.dst, hex(p[GTP_U_Header].teid), i.src, i.dst, i[ICMP].type, hex(i[ICMP].id), i[ICMP].seq)\n"
            + "u = p.copy(); del u[UDP].chksum; w = i.copy(); del w.chksum; del w[ICMP].chksum\n"
            + "print(p[UDP].chksum != 0, IPv6(raw(u))[UDP].chksum == p[UDP].chksum, IP(raw(w)).chksum == i.chksum, IP(raw(w))[ICMP].chksum == i[ICMP].chksum)\n";
        string[] lines = ScapyOracle.Run("-c", script).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("2001:db8:e::10 2001:db8:5::20 0x1002 10.45.0.7 192.0.2.200 8 0x5446 1", lines[0]);
        Assert.Equal("True True True True", lines[1]);
    }

    [Fact]
    public void The_pinger_probes_an_ipv6_ue_flagged_for_want_of_a_downlink_toward_the_ipv6_pdn_address()
    {
        var frames = ScapyFrames.Build(
            "Ether()/IPv6(src='2001:db8:e::10', dst='2001:db8:5::20')/UDP(sport=2152, dport=2152)/GTP_U_Header(teid=0x1001)/IPv6(src='2001:db8:1:2::a', dst='2001:db8:100::1')/UDP(sport=40000, dport=8080)",
            "Ether()/IPv6(src='2001:db8:5::20', dst='2001:db8:e::10')/UDP(sport=2152, dport=2152)/GTP_U_Header(teid=0xE001)/IPv6(src='2001:db8:53::1', dst='2001:db8:1:2::a')/ICMPv6EchoReply(id=0x5446, seq=1)");
        tof.Process((TofTestPlane.EnbPort, frames[0]));
        var injected = new List<byte[]>();
        var pinger = new TofPinger(tof.Tof, tof.Tof.Settings.Pinger!, packet =>
        {
            injected.Add(packet);
            return true;
        });

        for (long now = 0; now < 1000; now += 50)
        {
            pinger.OnTick(now);
        }

        Assert.Equal(2, injected.Count); // the limit
        Assert.All(injected, p => Assert.Equal(6, p[0] >> 4));
        Assert.Equal("2001:db8:53::1", Ipv6Address.Read(injected[0].AsSpan(40 + 8 + 8 + 24)).ToString()); // outer, UDP, GTP-U, inner destination

        tof.Process((TofTestPlane.SgwPort, frames[1]));
        pinger.OnTick(2000);
        Assert.Equal(0, pinger.Probing);
    }

    public void Dispose() => tof.Dispose();
}
