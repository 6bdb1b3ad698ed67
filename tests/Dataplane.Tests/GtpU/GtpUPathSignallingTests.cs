using System.Runtime.InteropServices;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;
using Dataplane.Ports.Pcap;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.GtpU;

/// <summary>
/// What the endpoint sends back on its own (TS 29.281 sections 7.2-7.3): Echo Responses whatever the room after the
/// frame, Error Indications for unknown TEIDs within a budget, Supported Extension Headers Notifications, and the UDP
/// checksum rule for tunnel packets to us. Expected frames are Scapy's, dissections tshark's.
/// </summary>
public sealed unsafe class GtpUPathSignallingTests : IDisposable
{
    private const string FromGnb = "Ether(src='02:00:00:00:0a:0a', dst='02:00:00:00:03:01')/IP(src='192.0.2.10', dst='192.0.2.1', id=7)/UDP(sport=2152, dport=2152)";
    private const string ToGnb = "Ether(src='02:00:00:00:03:01', dst='02:00:00:00:0a:0a')/IP(src='192.0.2.1', dst='192.0.2.10', id=7, ttl=64)/UDP(sport=2152, dport=2152)";
    private const string FromGnb6 = "Ether(src='02:00:00:00:0a:66', dst='02:00:00:00:03:01')/IPv6(src='2001:db8:3::10', dst='2001:db8:3::1')/UDP(sport=2152, dport=2152)";
    private const string ToGnb6 = "Ether(src='02:00:00:00:03:01', dst='02:00:00:00:0a:66')/IPv6(src='2001:db8:3::1', dst='2001:db8:3::10', hlim=64)/UDP(sport=2152, dport=2152)";
    private const string Inner = "IP(src='10.45.0.2', dst='203.0.113.8', ttl=64)/UDP(sport=40000, dport=9999)/Raw(b'uplink')";

    /// <summary>Headroom of a received frame, as every port keeps (docs/architecture.md, Buffers).</summary>
    private const int Headroom = 128;

    private readonly List<nint> tightBuffers = [];
    private readonly string capture = Path.Combine(Path.GetTempPath(), $"dataplane-gtpu-path-{Guid.NewGuid():N}.pcap");

    public static TheoryData<string, string, int> UnpaddedEchoRequests() => new()
    {
        { $"{FromGnb}/GTP_U_Header(gtp_type=1, S=1, seq=4242, teid=0)/GTPEchoRequest()",
          $"{ToGnb}/GTP_U_Header(gtp_type=2, S=1, seq=4242, teid=0)/GTPEchoResponse(IE_list=[IE_Recovery(restart_counter=0)])", 54 },
        { $"{FromGnb6}/GTP_U_Header(gtp_type=1, S=1, seq=77, teid=0)/GTPEchoRequest()",
          $"{ToGnb6}/GTP_U_Header(gtp_type=2, S=1, seq=77, teid=0)/GTPEchoResponse(IE_list=[IE_Recovery(restart_counter=0)])", 74 },
    };

    [Theory]
    [MemberData(nameof(UnpaddedEchoRequests))]
    public void An_echo_request_whose_buffer_ends_at_the_frame_is_answered(string request, string response, int requestLength)
    {
        var frames = ScapyFrames.Build(request, response);
        Assert.Equal(requestLength, frames[0].Length); // unpadded: what AF_PACKET hands over from a veth or a NIC that does not pad
        using var upf = new GtpUTestPlane();
        var batch = TightBatch(frames[0]);
        Assert.Equal(0, batch[0].Tailroom);

        upf.Pipeline.Process(batch);

        ref var packet = ref batch[0];
        Assert.Equal(PacketDisposition.Transmit, packet.Disposition);
        Assert.Equal(0, packet.EgressPort);
        Assert.Equal(Convert.ToHexString(frames[1]), Convert.ToHexString(packet.Data));
        Assert.Equal(1, upf.Pipeline.Counters.Counted(ForwardingEvent.GtpUEchoReplied));
        Assert.Equal(Headroom + requestLength, packet.DataOffset + packet.Length); // still inside the buffer: it grew at the front

        WriteCapture(packet.Data.ToArray());
        Assert.Empty(TsharkOracle.Problems(capture));
        var fields = TsharkOracle.Fields(capture, "gtp.message", "udp.checksum.status");
        Assert.Equal(["0x02"], fields[0]["gtp.message"]);
        Assert.Equal(["1"], fields[0]["udp.checksum.status"]);
    }

    [Fact]
    public void A_g_pdu_with_an_unknown_teid_over_ipv6_becomes_an_error_indication_even_when_it_must_grow()
    {
        var frames = ScapyFrames.Build(
            $"{FromGnb6}/GTP_U_Header(teid=999)/IP(src='10.45.0.2', dst='203.0.113.8', proto=253)",
            $"{ToGnb6}/GTP_U_Header(gtp_type=26, S=1, seq=0, teid=0)"
            + "/GTPErrorIndication(IE_list=[IE_TEIDI(TEIDI=999), IE_GSNAddress(length=16, ipv6_address='2001:db8:3::1')])");
        Assert.True(frames[1].Length > frames[0].Length); // 98 octets out of 90 in
        using var upf = new GtpUTestPlane();
        var batch = TightBatch(frames[0]);

        upf.Pipeline.Process(batch);

        Assert.Equal(PacketDisposition.Transmit, batch[0].Disposition);
        Assert.Equal(Convert.ToHexString(frames[1]), Convert.ToHexString(batch[0].Data));
        WriteCapture(batch[0].Data.ToArray());
        Assert.Empty(TsharkOracle.Problems(capture));
        var fields = TsharkOracle.Fields(capture, "gtp.message", "gtp.teid_data", "gtp.gsn_ipv6", "udp.checksum.status");
        Assert.Equal(["0x1a"], fields[0]["gtp.message"]);
        Assert.Equal(["0x000003e7"], fields[0]["gtp.teid_data"]);
        Assert.Equal(["2001:db8:3::1"], fields[0]["gtp.gsn_ipv6"]);
        Assert.Equal(["1"], fields[0]["udp.checksum.status"]);
        var counters = upf.Plane.Counters();
        Assert.True(counters.IsConserved, counters.ToTable());
        Assert.Equal(1, counters.Counted(ForwardingEvent.GtpUErrorIndicationSent));
    }

    [Fact]
    public void Error_indications_stay_within_the_workers_budget_per_second()
    {
        var frame = ScapyFrames.Build($"{FromGnb}/GTP_U_Header(teid=999)/{Inner}")[0];
        using var upf = new GtpUTestPlane(moreGtpu: "\"errorIndicationsPerSecond\": 100,");
        upf.Load(0, Enumerable.Repeat(frame, 150).ToArray());
        upf.Pipeline.Process(upf.Batch);

        var counters = upf.Plane.Counters();
        Assert.Equal(100, counters.Counted(ForwardingEvent.GtpUErrorIndicationSent)); // a full bucket: one second's worth
        Assert.Equal(50, counters.Dropped(DropReason.UnknownTeid));
        Assert.Equal(50, counters.Counted(ForwardingEvent.GtpUSignallingSuppressed));

        upf.Clock.Advance(TimeSpan.FromMilliseconds(250)); // refills 25
        upf.Load(0, Enumerable.Repeat(frame, 40).ToArray());
        upf.Pipeline.Process(upf.Batch);
        counters = upf.Plane.Counters();
        Assert.Equal(125, counters.Counted(ForwardingEvent.GtpUErrorIndicationSent));
        Assert.Equal(65, counters.Dropped(DropReason.UnknownTeid));

        upf.Clock.Advance(TimeSpan.FromSeconds(30)); // never more than one second's worth
        upf.Load(0, Enumerable.Repeat(frame, 150).ToArray());
        upf.Pipeline.Process(upf.Batch);
        counters = upf.Plane.Counters();
        Assert.Equal(225, counters.Counted(ForwardingEvent.GtpUErrorIndicationSent));
        Assert.True(counters.IsConserved, counters.ToTable());
    }

    [Fact]
    public void With_a_budget_of_zero_no_error_indication_is_sent()
    {
        var frame = ScapyFrames.Build($"{FromGnb}/GTP_U_Header(teid=999)/{Inner}")[0];
        using var upf = new GtpUTestPlane(moreGtpu: "\"errorIndicationsPerSecond\": 0,");
        upf.Load(0, frame, frame);
        upf.Pipeline.Process(upf.Batch);

        Assert.Equal((byte)DropReason.UnknownTeid, upf.Batch[0].DropReason);
        Assert.Equal(0, upf.Plane.Counters().Counted(ForwardingEvent.GtpUErrorIndicationSent));
    }

    /// <summary>
    /// The checksum Open vSwitch 3.1's userspace gtpu port sends: computed over the datagram before the GTP-U length
    /// field is written, so over a length of 0 (lib/netdev-native-tnl.c, netdev_gtpu_push_header).
    /// </summary>
    private static string OvsStyleGPdu(string gtp) =>
        "Ether(src='02:00:00:00:0a:0a', dst='02:00:00:00:03:01')/IP(src='192.0.2.10', dst='192.0.2.1', id=7)"
        + $"/UDP(sport=2152, dport=2152, chksum=IP(bytes(IP(src='192.0.2.10', dst='192.0.2.1', id=7)/UDP(sport=2152, dport=2152)/{gtp.Replace(")", ", length=0)", StringComparison.Ordinal)}/{Inner}))[UDP].chksum)"
        + $"/{gtp}/{Inner}";

    [Fact]
    public void A_wrong_udp_checksum_on_a_g_pdu_to_us_is_dropped_by_default_and_a_zero_one_is_accepted()
    {
        var frames = ScapyFrames.Build(
            OvsStyleGPdu("GTP_U_Header(teid=256)"),
            OvsStyleGPdu("GTP_U_Header(teid=256, S=1, seq=9)"), // not plain: the general path
            $"{FromGnb.Replace("dport=2152)", "dport=2152, chksum=0)", StringComparison.Ordinal)}/GTP_U_Header(teid=256)/{Inner}",
            $"{FromGnb}/GTP_U_Header(teid=256)/{Inner}"); // Scapy's correct checksum
        using var upf = new GtpUTestPlane();
        upf.Load(0, frames);
        upf.Pipeline.Process(upf.Batch);

        Assert.Equal((byte)DropReason.TunnelUdpChecksumBad, upf.Batch[0].DropReason);
        Assert.Equal((byte)DropReason.TunnelUdpChecksumBad, upf.Batch[1].DropReason);
        Assert.Equal(PacketDisposition.Transmit, upf.Batch[2].Disposition);
        Assert.Equal(PacketDisposition.Transmit, upf.Batch[3].Disposition);
        Assert.Equal(2, upf.Plane.Counters().Counted(ForwardingEvent.GtpUDecapsulated));
    }

    [Fact]
    public void With_tunnel_udp_checksum_accept_a_wrong_checksum_is_counted_and_decapsulated()
    {
        var frames = ScapyFrames.Build(OvsStyleGPdu("GTP_U_Header(teid=256)"), OvsStyleGPdu("GTP_U_Header(teid=256, S=1, seq=9)"));
        using var upf = new GtpUTestPlane(more: "\"tunnelUdpChecksum\": \"accept\",");
        upf.Load(0, frames);
        upf.Pipeline.Process(upf.Batch);

        var counters = upf.Plane.Counters();
        Assert.Equal(2, counters.Counted(ForwardingEvent.TunnelUdpChecksumBadAccepted));
        Assert.Equal(2, counters.Counted(ForwardingEvent.GtpUDecapsulated));
        Assert.Equal(2, counters.Transmitted);
    }

    [Fact]
    public void A_checksum_the_port_vouched_for_is_not_checked()
    {
        var frame = ScapyFrames.Build(OvsStyleGPdu("GTP_U_Header(teid=256)"))[0];
        using var upf = new GtpUTestPlane();
        upf.Load(0, frame);
        upf.Batch[0].Flags = PacketFlags.ChecksumVouchedByPort; // what AF_PACKET says for TP_STATUS_CSUMNOTREADY
        upf.Pipeline.Process(upf.Batch);

        Assert.Equal(PacketDisposition.Transmit, upf.Batch[0].Disposition);
        Assert.Equal(1, upf.Plane.Counters().Counted(ForwardingEvent.GtpUDecapsulated));
    }

    [Fact]
    public void A_tunnel_udp_checksum_setting_other_than_verify_or_accept_is_refused_by_name()
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(GtpUTestPlane.Json(more: "\"tunnelUdpChecksum\": \"ignore\","))));
        Assert.Contains("tunnelUdpChecksum", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A batch of one packet in a buffer that ends where the frame does, with the usual headroom in front.</summary>
    private PacketBatch TightBatch(byte[] frame)
    {
        byte* buffer = (byte*)NativeMemory.Alloc((nuint)(Headroom + frame.Length));
        tightBuffers.Add((nint)buffer);
        frame.CopyTo(new Span<byte>(buffer + Headroom, frame.Length));
        var packet = default(PacketDescriptor);
        packet.Attach(buffer, Headroom + frame.Length, Headroom, frame.Length, owner: 0);
        packet.IngressPort = 0;
        var batch = new PacketBatch();
        Assert.True(batch.TryAdd(packet));
        return batch;
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
        foreach (nint buffer in tightBuffers)
        {
            NativeMemory.Free((void*)buffer);
        }

        File.Delete(capture);
    }
}
