using Dataplane.Forwarding.Buffers;
using Dataplane.Control.Tof;
using Dataplane.Forwarding.Tof;
using Dataplane.Tests.GtpU;
using Dataplane.Tests.Oracles;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tof;

public sealed class TofPingerTests : IDisposable
{
    private const string Pinger = """, "pinger": { "pdnAddress": "192.0.2.200", "intervalMilliseconds": 100, "limit": 3 }""";

    private readonly TofTestPlane tof = new(Pinger);

    [Fact]
    public void The_probe_is_an_echo_request_from_the_ue_inside_its_uplink_tunnel_with_its_qfi()
    {
        var learn = ScapyFrames.Build("Ether()/IP(src='192.0.2.10', dst='198.51.100.20')/UDP(sport=2152, dport=2152)"
            + "/GTP_U_Header(teid=0x1001, E=1, next_ex=0x85)/GTPPDUSessionContainer(type=1, QFI=6)/IP(src='10.45.0.2', dst='8.8.8.8')/ICMP()");
        tof.Process((TofTestPlane.EnbPort, learn[0]));
        Assert.True(tof.Tof.TryGetTunnel(Ipv4Address.Parse("10.45.0.2"), out var tunnel));
        byte[] probe = TofEchoRequest.Build(tunnel, Ipv4Address.Parse("192.0.2.200"), 3)!;

        // Scapy parses it and recomputes every checksum: what it prints must be what we wrote.
        string script = "from scapy.all import *\nfrom scapy.contrib.gtp import *\n"
            + $"p = IP(bytes.fromhex('{Convert.ToHexString(probe)}'))\n"
            + "i = p[GTP_U_Header].payload\nwhile not isinstance(i, IP): i = i.payload\n"
            + "c = p[GTPPDUSessionContainer]\n"
            + "q = IP(raw(p)); q.chksum = None; q[IP].payload.chksum = None\n"
            + "print(p.src, p.dst, p[UDP].dport, hex(p[GTP_U_Header].teid), c.type, c.QFI, i.src, i.dst, i[ICMP].type, hex(i[ICMP].id), i[ICMP].seq)\n"
            + "r = IP(bytes(p)); ii = r[GTP_U_Header].payload\nwhile not isinstance(ii, IP): ii = ii.payload\n"
            + "print(r.chksum == IP(raw(IP(src=r.src, dst=r.dst, ttl=r.ttl, id=r.id, proto=r.proto)/raw(r.payload))).chksum,"
            + " ii[ICMP].chksum == ICMP(raw(ICMP(type=8, id=ii[ICMP].id, seq=ii[ICMP].seq)/raw(ii[ICMP].payload))).chksum)\n";
        string[] lines = ScapyOracle.Run("-c", script).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("192.0.2.10 198.51.100.20 2152 0x1001 1 6 10.45.0.2 192.0.2.200 8 0x5446 3", lines[0]);
        Assert.Equal("True True", lines[1]);
    }

    [Fact]
    public void The_pinger_probes_flagged_ues_at_the_interval_up_to_the_limit_and_stops_once_the_downlink_is_learned()
    {
        var frames = ScapyFrames.Build(
            "Ether()/IP(src='192.0.2.10', dst='198.51.100.20')/UDP(sport=2152, dport=2152)/GTP_U_Header(teid=0x1001)/IP(src='10.45.0.2', dst='10.200.0.1')/UDP(sport=40000, dport=8080)",
            "Ether()/IP(src='198.51.100.20', dst='192.0.2.10')/UDP(sport=2152, dport=2152)/GTP_U_Header(teid=0xE001)/IP(src='192.0.2.200', dst='10.45.0.2')/ICMP(type=0)");
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

        Assert.Equal(3, injected.Count); // the limit, one per 100 ms round
        Assert.Equal(1, pinger.Probing);

        tof.Process((TofTestPlane.SgwPort, frames[1])); // the PDN's echo reply reveals the downlink TEID
        pinger.OnTick(2000);
        Assert.Equal(3, injected.Count);
        Assert.Equal(0, pinger.Probing);
    }

    [Fact]
    public void An_injected_probe_is_routed_to_the_sgw_and_not_learned_as_a_new_tunnel()
    {
        var learn = ScapyFrames.Build("Ether()/IP(src='192.0.2.10', dst='198.51.100.20')/UDP(sport=2152, dport=2152)/GTP_U_Header(teid=0x1001)/IP(src='10.45.0.2', dst='8.8.8.8')/ICMP()");
        tof.Process((TofTestPlane.EnbPort, learn[0]));
        Assert.True(tof.Tof.TryGetTunnel(Ipv4Address.Parse("10.45.0.2"), out var tunnel));
        byte[] probe = TofEchoRequest.Build(tunnel, Ipv4Address.Parse("192.0.2.200"), 1)!;

        // As the injection port delivers it: a bare IP packet on a port after the configured ones.
        tof.FreeBatch();
        var packet = default(PacketDescriptor);
        Assert.True(tof.Pool.TryAllocate(ref packet));
        probe.CopyTo(packet.BufferSpan[packet.DataOffset..]);
        Assert.True(packet.TrySetLength(probe.Length));
        packet.IngressPort = 3;
        packet.Format = FrameFormat.RawIp;
        Assert.True(tof.Batch.TryAdd(packet));
        tof.Pipeline.Process(tof.Batch);

        var sent = tof.Batch[0];
        Assert.True(sent.Disposition == PacketDisposition.Transmit, $"drop {(Dataplane.Forwarding.Counters.DropReason)sent.DropReason}, {sent.Disposition}");
        Assert.Equal(TofTestPlane.SgwPort, sent.EgressPort);
        Assert.Equal(Convert.FromHexString("020000000501"), sent.Data[..6].ToArray()); // the SGW's MAC
        Assert.Equal(63, sent.Data[14 + 8]); // routed: TTL 64 - 1
        Assert.Equal(1, tof.Tof.Tunnels.Count);
    }

    [Fact]
    public void The_idle_purger_runs_the_purge()
    {
        var frames = ScapyFrames.Build(
            "Ether()/IP(src='192.0.2.10', dst='198.51.100.20')/UDP(sport=2152, dport=2152)/GTP_U_Header(teid=0x1001)/IP(src='10.45.0.2', dst='8.8.8.8')/ICMP()");
        tof.Process((TofTestPlane.EnbPort, frames[0]));
        var purger = new TofIdlePurger(tof.Tof);
        purger.OnTick(0);
        Assert.Equal(1, tof.Tof.Tunnels.Count);
        tof.Clock.Advance(TimeSpan.FromSeconds(61));
        purger.OnTick(1000);
        Assert.Equal(0, tof.Tof.Tunnels.Count);
    }

    public void Dispose() => tof.Dispose();
}
