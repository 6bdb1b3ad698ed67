using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.GtpU;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Ports.Pcap;
using Dataplane.Tables.Gtp;
using Dataplane.Tests.Oracles;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.GtpU;

public sealed class GtpUEndpointStageTests : IDisposable
{
    private const string FromGnb = "Ether(src='02:00:00:00:0a:0a', dst='02:00:00:00:03:01')/IP(src='192.0.2.10', dst='192.0.2.1', id=7)/UDP(sport=2152, dport=2152)";
    private const string FromDn = "Ether(src='02:00:00:00:06:fe', dst='02:00:00:00:06:01')";
    private const string UplinkV4 = "IP(src='10.45.0.2', dst='203.0.113.8', ttl=64)/UDP(sport=40000, dport=9999)/Raw(b'uplink')";
    private const string UplinkV6 = "IPv6(src='2001:db8:45::2', dst='2001:db8:ffff::8', hlim=64)/UDP(sport=40000, dport=9999)/Raw(b'uplink6')";

    private readonly GtpUTestPlane upf = new();
    private readonly string capture = Path.Combine(Path.GetTempPath(), $"dataplane-gtpu-{Guid.NewGuid():N}.pcap");

    private GtpUEndpointStage Stage => upf.Pipeline.Stages.OfType<GtpUEndpointStage>().Single();

    [Fact]
    public void Decapsulation_strips_every_outer_header_and_leaves_a_native_packet_in_the_tunnel_instance_for_routing()
    {
        var frames = ScapyFrames.Build(
            $"{FromGnb}/GTP_U_Header(teid=256)/{UplinkV4}",
            $"{FromGnb}/GTP_U_Header(teid=256, E=1, next_ex=0x85)/GTPPDUSessionContainer(type=1, QFI=5)/{UplinkV6}",
            UplinkV4,
            UplinkV6);
        upf.Load(0, frames[0], frames[1]);
        ClassifyStage.Run(upf.Batch, upf.Pipeline.Counters);
        Stage.Run(upf.Batch.AsSpan(), upf.Pipeline.Counters);

        for (int i = 0; i < 2; i++)
        {
            ref var packet = ref upf.Batch[i];
            Assert.True(packet.IsPending());
            Assert.Equal(i == 0 ? PacketKind.NativeIpv4 : PacketKind.NativeIpv6, packet.Kind);
            Assert.Equal(5u, packet.InstanceId);
            Assert.Equal(PacketFlags.Decapsulated, packet.Flags & PacketFlags.Decapsulated);
            Assert.Equal(packet.DataOffset, packet.L3Offset);
            Assert.Equal(packet.DataOffset + (i == 0 ? 20 : 40), packet.L4Offset);
            Assert.Equal(Convert.ToHexString(frames[2 + i]), Convert.ToHexString(packet.Data));
        }

        Assert.Equal(5, Stage.LastUplinkQfi);
        Assert.Equal(2, upf.Pipeline.Counters.Counted(ForwardingEvent.GtpUDecapsulated));
    }

    [Fact]
    public void A_g_pdu_over_ipv6_is_decapsulated_and_routed_in_the_tunnels_instance()
    {
        var frames = ScapyFrames.Build(
            "Ether(src='02:00:00:00:0a:66', dst='02:00:00:00:03:01')/IPv6(src='2001:db8:3::10', dst='2001:db8:3::1')/UDP(sport=2152, dport=2152)"
            + $"/GTP_U_Header(teid=258)/{UplinkV4.Replace("10.45.0.2", "10.45.0.4", StringComparison.Ordinal)}",
            $"Ether(src='02:00:00:00:06:01', dst='02:00:00:00:06:fe')/{UplinkV4.Replace("10.45.0.2", "10.45.0.4", StringComparison.Ordinal).Replace("ttl=64", "ttl=63", StringComparison.Ordinal)}");
        upf.Load(0, frames[0]);
        upf.Pipeline.Process(upf.Batch);

        ref var packet = ref upf.Batch[0];
        Assert.Equal(PacketDisposition.Transmit, packet.Disposition);
        Assert.Equal(1, packet.EgressPort);
        Assert.Equal(0u, packet.InstanceId);
        Assert.Equal(Convert.ToHexString(frames[1]), Convert.ToHexString(packet.Data));
        Assert.Equal(1, upf.Pipeline.Counters.Counted(ForwardingEvent.GtpUDecapsulated));
        Assert.Equal(1, upf.Pipeline.Counters.Counted(ForwardingEvent.Routed));
    }

    [Fact]
    public void Echo_request_is_answered_in_place_with_scapys_echo_response_and_tshark_agrees()
    {
        var frames = ScapyFrames.Build(
            $"{FromGnb.Replace("sport=2152", "sport=33000", StringComparison.Ordinal)}/GTP_U_Header(gtp_type=1, S=1, seq=4242, teid=0)/GTPEchoRequest()",
            "Ether(src='02:00:00:00:03:01', dst='02:00:00:00:0a:0a')/IP(src='192.0.2.1', dst='192.0.2.10', id=7, ttl=64)/UDP(sport=2152, dport=33000)"
            + "/GTP_U_Header(gtp_type=2, S=1, seq=4242, teid=0)/GTPEchoResponse(IE_list=[IE_Recovery(restart_counter=0)])");
        upf.Load(0, frames[0]);
        upf.Pipeline.Process(upf.Batch);

        ref var packet = ref upf.Batch[0];
        Assert.Equal(PacketDisposition.Transmit, packet.Disposition);
        Assert.Equal(0, packet.EgressPort);
        Assert.Equal(Convert.ToHexString(frames[1]), Convert.ToHexString(packet.Data));
        Assert.Equal(1, upf.Pipeline.Counters.Counted(ForwardingEvent.GtpUEchoReplied));

        WriteCapture(packet.Data.ToArray());
        Assert.Empty(TsharkOracle.Problems(capture));
        var fields = TsharkOracle.Fields(capture, "gtp.message", "gtp.seq_number", "gtp.recovery", "udp.checksum.status");
        Assert.Equal(["0x02"], fields[0]["gtp.message"]);
        Assert.Equal(["0x1092"], fields[0]["gtp.seq_number"]); // 4242
        Assert.Equal(["1"], fields[0]["udp.checksum.status"]);
        Assert.Equal(["0"], fields[0]["gtp.recovery"]);
    }

    [Fact]
    public void Encapsulation_over_ipv6_equals_scapy_with_a_computed_udp_checksum_and_dissects_cleanly()
    {
        var frames = ScapyFrames.Build(
            $"{FromDn}/IP(src='203.0.113.8', dst='10.45.0.4', ttl=50)/UDP(sport=9999, dport=40000)/Raw(b'downlink')",
            "Ether(src='02:00:00:00:03:01', dst='02:00:00:00:0a:66')/IPv6(src='2001:db8:3::1', dst='2001:db8:3::10', hlim=64)/UDP(sport=2152, dport=2152)"
            + "/GTP_U_Header(teid=514)/IP(src='203.0.113.8', dst='10.45.0.4', ttl=50)/UDP(sport=9999, dport=40000)/Raw(b'downlink')");
        upf.Load(1, frames[0]);
        upf.Pipeline.Process(upf.Batch);

        ref var packet = ref upf.Batch[0];
        Assert.Equal(PacketDisposition.Transmit, packet.Disposition);
        Assert.Equal(0, packet.EgressPort);
        Assert.Equal(Convert.ToHexString(frames[1]), Convert.ToHexString(packet.Data));

        WriteCapture(packet.Data.ToArray());
        Assert.Empty(TsharkOracle.Problems(capture));
        var fields = TsharkOracle.Fields(capture, "gtp.teid", "udp.checksum.status");
        Assert.Equal(["0x00000202"], fields[0]["gtp.teid"]); // 514
        Assert.Equal(["1", "1"], fields[0]["udp.checksum.status"]); // outer and inner: 1 = good (0 bad, 2 unverified)
    }

    [Fact]
    public void Encapsulation_with_a_qfi_carries_a_downlink_pdu_session_container_that_tshark_reads()
    {
        var frames = ScapyFrames.Build($"{FromDn}/IP(src='203.0.113.8', dst='10.45.0.3')/UDP(sport=9999, dport=40000)/Raw(b'qos')");
        upf.Load(1, frames[0]);
        upf.Pipeline.Process(upf.Batch);

        Assert.Equal(PacketDisposition.Transmit, upf.Batch[0].Disposition);
        WriteCapture(upf.Batch[0].Data.ToArray());
        Assert.Empty(TsharkOracle.Problems(capture));
        var fields = TsharkOracle.Fields(capture, "gtp.teid", "gtp.ext_hdr.pdu_ses_con.pdu_type", "gtp.ext_hdr.pdu_ses_con.qos_flow_id");
        Assert.Equal(["0x00000201"], fields[0]["gtp.teid"]); // 513
        Assert.Equal(["0"], fields[0]["gtp.ext_hdr.pdu_ses_con.pdu_type"]);
        Assert.Equal(["9"], fields[0]["gtp.ext_hdr.pdu_ses_con.qos_flow_id"]);
    }

    [Fact]
    public void Every_packet_gets_a_named_fate()
    {
        var frames = ScapyFrames.Build(
            $"{FromGnb}/GTP_U_Header(teid=999)/{UplinkV4}",                       // unknown TEID: Error Indication
            $"{FromGnb}/GTP_U_Header(gtp_type=254, teid=256)",                     // End Marker: punt
            $"{FromGnb}/GTP_U_Header(teid=256, gtp_type=255)/Raw(b'\\x60\\x00')", // T-PDU not IP
            $"{FromGnb}/Raw(b'\\x30\\xff\\x00\\x40\\x00\\x00\\x01\\x00')",         // length field lies
            $"{FromGnb.Replace("dst='192.0.2.1'", "dst='198.51.100.9'", StringComparison.Ordinal)}/GTP_U_Header(teid=256)/{UplinkV4}"); // transit
        upf.Load(0, frames);
        upf.Pipeline.Process(upf.Batch);

        Assert.Equal(PacketDisposition.Transmit, upf.Batch[0].Disposition);
        Assert.Equal(0, upf.Batch[0].EgressPort);
        Assert.Equal(26, upf.Batch[0].Data[14 + 20 + 8 + 1]); // Error Indication, back to the gNB
        Assert.Equal(PacketDisposition.Punt, upf.Batch[1].Disposition);
        Assert.Equal((byte)DropReason.InnerHeaderMalformed, upf.Batch[2].DropReason);
        Assert.Equal((byte)DropReason.MalformedGtpU, upf.Batch[3].DropReason);
        Assert.Equal(PacketDisposition.Transmit, upf.Batch[4].Disposition);
        Assert.Equal(1, upf.Batch[4].EgressPort);
        var counters = upf.Plane.Counters();
        Assert.True(counters.IsConserved, counters.ToTable());
        Assert.Equal(1, counters.Counted(ForwardingEvent.GtpUPunted));
        Assert.Equal(1, counters.Punted);
        Assert.Equal(1, counters.Counted(ForwardingEvent.GtpUErrorIndicationSent)); // none for the transit G-PDU
    }

    [Fact]
    public void Length_fields_at_and_past_their_bounds_get_the_general_parsers_fate_in_a_vector_of_plain_g_pdus()
    {
        // The inner packet is 34 bytes (20 IPv4 + 8 UDP + 6): a GTP-U length of 34 carries it whole, 33 cuts it
        // (TS 29.281 5.1: the length counts the octets after the mandatory 8), 35 runs past the UDP payload.
        // Ethernet padding after the IPv4 total length is not part of the packet (RFC 894) and must not follow the
        // inner packet out. Plain G-PDUs (no optional field) sit next to one with a sequence number (S=1).
        string inner = UplinkV4;
        var frames = ScapyFrames.Build(
            $"{FromGnb}/GTP_U_Header(teid=256, length=34)/{inner}",
            $"{FromGnb}/GTP_U_Header(teid=256, length=33)/{inner}",
            $"{FromGnb}/GTP_U_Header(teid=256, length=35)/{inner}",
            $"{FromGnb}/GTP_U_Header(teid=256)/{inner}/Padding(load=bytes(12))",
            $"{FromGnb}/GTP_U_Header(teid=256, S=1, seq=7)/{inner}",
            $"{FromGnb}/GTP_U_Header(teid=257)/{inner}",
            inner);
        upf.Load(0, frames[..6]);
        ClassifyStage.Run(upf.Batch, upf.Pipeline.Counters);
        Stage.Run(upf.Batch.AsSpan(), upf.Pipeline.Counters);

        foreach (int decapsulated in new[] { 0, 3, 4, 5 })
        {
            ref var packet = ref upf.Batch[decapsulated];
            Assert.True(packet.IsPending(), $"packet {decapsulated}: {(DropReason)packet.DropReason}");
            Assert.Equal(PacketKind.NativeIpv4, packet.Kind);
            Assert.Equal(decapsulated == 5 ? 0u : 5u, packet.InstanceId); // TEID 257 is ue2's tunnel, in instance 0
            Assert.Equal(packet.DataOffset + 20, packet.L4Offset);
            Assert.Equal(Convert.ToHexString(frames[6]), Convert.ToHexString(packet.Data));
        }

        Assert.Equal((byte)DropReason.InnerHeaderMalformed, upf.Batch[1].DropReason);
        Assert.Equal((byte)DropReason.MalformedGtpU, upf.Batch[2].DropReason);
        Assert.Equal(4, upf.Pipeline.Counters.Counted(ForwardingEvent.GtpUDecapsulated));
    }

    [Fact]
    public void Encapsulation_over_the_egress_mtu_is_dropped_as_over_mtu()
    {
        using var small = new GtpUTestPlane(n3Mtu: 100);
        var frames = ScapyFrames.Build(
            $"{FromDn}/IP(src='203.0.113.8', dst='10.45.0.3')/UDP(sport=9999, dport=40000)/Raw(b'x' * 64)", // 20+8+16 + 92 > 100
            $"{FromDn}/IP(src='203.0.113.8', dst='10.45.0.3')/UDP(sport=9999, dport=40000)/Raw(b'x' * 28)"); // 44 + 56 = 100
        small.Load(1, frames);
        small.Pipeline.Process(small.Batch);

        Assert.Equal((byte)DropReason.OverMtu, small.Batch[0].DropReason);
        Assert.Equal(PacketDisposition.Transmit, small.Batch[1].Disposition);
    }

    [Fact]
    public void A_tunnel_added_while_the_worker_runs_is_used_by_the_next_batch_and_a_removed_one_is_not()
    {
        var frames = ScapyFrames.Build(
            $"{FromGnb}/GTP_U_Header(teid=4096)/{UplinkV4.Replace("10.45.0.2", "10.45.9.9", StringComparison.Ordinal)}");
        upf.Load(0, frames[0]);
        upf.Pipeline.Process(upf.Batch);
        Assert.Equal(1, upf.Pipeline.Counters.Counted(ForwardingEvent.GtpUErrorIndicationSent));

        var table = upf.Plane.Feature<GtpUFeature>()!.Tunnels;
        var learned = new GtpUTunnel("learned", IpAddress.Parse("192.0.2.1"), IpAddress.Parse("192.0.2.10"), 4096, 8192,
            EidPrefix.Host(0, IpAddress.Parse("10.45.9.9")), null);
        table.AddOrReplace(learned);
        upf.Load(0, frames[0]);
        upf.Pipeline.Process(upf.Batch);
        Assert.Equal(PacketDisposition.Transmit, upf.Batch[0].Disposition);

        table.Remove(learned.Key);
        upf.Load(0, frames[0]);
        upf.Pipeline.Process(upf.Batch);
        Assert.Equal(2, upf.Pipeline.Counters.Counted(ForwardingEvent.GtpUErrorIndicationSent));
        Assert.Equal(1, upf.Pipeline.Counters.Counted(ForwardingEvent.GtpUDecapsulated));
    }

    [Fact]
    public void Encapsulation_resolves_each_peer_within_a_batch_and_sees_a_neighbour_change_in_the_next_batch()
    {
        var frames = ScapyFrames.Build(
            $"{FromDn}/IP(src='203.0.113.8', dst='10.45.0.3')/UDP(sport=9999, dport=40000)/Raw(b'a')",  // ue2, IPv4 peer
            $"{FromDn}/IP(src='203.0.113.8', dst='10.45.0.4')/UDP(sport=9999, dport=40000)/Raw(b'b')",  // ue3, IPv6 peer
            $"{FromDn}/IP(src='203.0.113.8', dst='10.45.0.3')/UDP(sport=9999, dport=40000)/Raw(b'c')"); // ue2 again
        upf.Load(1, frames);
        upf.Pipeline.Process(upf.Batch);
        Assert.Equal(MacAddress.Parse(GtpUTestPlane.GnbMac), EthernetDestination(0));
        Assert.Equal(MacAddress.Parse(GtpUTestPlane.Gnb6Mac), EthernetDestination(1));
        Assert.Equal(MacAddress.Parse(GtpUTestPlane.GnbMac), EthernetDestination(2));

        upf.Plane.Neighbours.AddOrReplace(IpAddress.Parse("192.0.2.10"), new Neighbour(MacAddress.Parse("02:00:00:00:0a:99"), 0));
        upf.Load(1, frames);
        upf.Pipeline.Process(upf.Batch);
        Assert.Equal(MacAddress.Parse("02:00:00:00:0a:99"), EthernetDestination(0));
        Assert.Equal(MacAddress.Parse(GtpUTestPlane.Gnb6Mac), EthernetDestination(1));
        Assert.Equal(3, upf.Plane.Counters().Counted(ForwardingEvent.GtpUEncapsulated) - 3);
    }

    /// <summary>Hostile input: every byte after the Ethernet header of valid GTP-U frames mutated at random; nothing throws, every packet has a named fate.</summary>
    [Fact]
    public void Mutated_gtpu_frames_never_throw_and_counters_stay_conserved()
    {
        // UDP checksum 0, as GTP-U peers send over IPv4: a mutation then reaches the GTP-U parser instead of failing
        // the checksum (TunnelUdpChecksumBad) first.
        string fromGnb = FromGnb.Replace("dport=2152)", "dport=2152, chksum=0)", StringComparison.Ordinal);
        var templates = ScapyFrames.Build(
            $"{fromGnb}/GTP_U_Header(teid=256, E=1, next_ex=0x85)/GTPPDUSessionContainer(type=1, QFI=5)/{UplinkV4}",
            $"{fromGnb}/GTP_U_Header(teid=256)/{UplinkV6}",
            $"{fromGnb}/GTP_U_Header(gtp_type=1, S=1, seq=1, teid=0)/GTPEchoRequest()");
        var random = new Random(2152);
        for (int round = 0; round < 300; round++)
        {
            var frames = new byte[16][];
            for (int i = 0; i < frames.Length; i++)
            {
                byte[] frame = templates[random.Next(templates.Length)].ToArray();
                int mutations = 1 + random.Next(4);
                for (int m = 0; m < mutations; m++)
                {
                    // Mostly the GTP-U header and what follows (offset 42..), sometimes the outer IP/UDP lengths.
                    int at = random.Next(4) == 0 ? 14 + random.Next(28) : 42 + random.Next(frame.Length - 42);
                    frame[at] = (byte)random.Next(256);
                }

                frames[i] = random.Next(8) == 0 ? frame[..(14 + random.Next(frame.Length - 14))] : frame;
            }

            upf.Load(0, frames);
            upf.Pipeline.Process(upf.Batch);
        }

        var counters = upf.Plane.Counters();
        Assert.Equal(300 * 16, counters.Received);
        Assert.True(counters.IsConserved, counters.ToTable());
        Assert.True(counters.Dropped(DropReason.MalformedGtpU) > 0, counters.ToTable());
    }

    private MacAddress EthernetDestination(int index)
    {
        Assert.Equal(PacketDisposition.Transmit, upf.Batch[index].Disposition);
        return MacAddress.Read(upf.Batch[index].Data);
    }

    [Fact]
    public void Decapsulation_encapsulation_and_echo_allocate_nothing_over_many_batches()
    {
        var frames = ScapyFrames.Build(
            $"{FromGnb}/GTP_U_Header(teid=256)/{UplinkV4}",
            $"{FromGnb}/GTP_U_Header(teid=256, E=1, next_ex=0x85)/GTPPDUSessionContainer(type=1, QFI=5)/{UplinkV6}",
            $"{FromGnb}/GTP_U_Header(gtp_type=1, S=1, seq=1, teid=0)/GTPEchoRequest()",
            $"{FromGnb}/GTP_U_Header(gtp_type=254, teid=256)",
            $"{FromGnb}/GTP_U_Header(teid=999)/{UplinkV4}");
        var downlink = ScapyFrames.Build(
            $"{FromDn}/IP(src='203.0.113.8', dst='10.45.0.3')/UDP(sport=9999, dport=40000)/Raw(b'qos')",
            $"{FromDn}/IP(src='203.0.113.8', dst='10.45.0.4')/UDP(sport=9999, dport=40000)/Raw(b'v6 outer')");

        void Round()
        {
            upf.Load(0, frames);
            upf.Pipeline.Process(upf.Batch);
            upf.Load(1, downlink);
            upf.Pipeline.Process(upf.Batch);
        }

        // Load allocates nothing either (it fills pool buffers), so the whole round is measured.
        for (int i = 0; i < 50; i++)
        {
            Round();
        }

        long least = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 500; i++)
            {
                Round();
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
        var counters = upf.Plane.Counters();
        Assert.True(counters.IsConserved, counters.ToTable());
        Assert.Equal(1550 * 2, counters.Counted(ForwardingEvent.GtpUEncapsulated));
        Assert.Equal(1550, counters.Counted(ForwardingEvent.GtpUEchoReplied));
    }

    private void WriteCapture(params byte[][] frames)
    {
        using var writer = new PcapWriter(capture, CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds, 65535);
        for (int i = 0; i < frames.Length; i++)
        {
            writer.Write(frames[i], i);
        }
    }

    public void Dispose()
    {
        upf.Dispose();
        File.Delete(capture);
    }
}
