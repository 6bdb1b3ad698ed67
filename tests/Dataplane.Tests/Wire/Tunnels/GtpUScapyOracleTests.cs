using Dataplane.Tests.Oracles;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Tests.Wire.Tunnels;

/// <summary>Scapy's GTP-U layers (scapy.contrib.gtp) as the oracle: we read what it built and build what it built.</summary>
public class GtpUScapyOracleTests
{
    [Theory]
    [InlineData("gtp_gpdu")]
    [InlineData("gtp_sequence")]
    [InlineData("gtp_npdu")]
    [InlineData("gtp_echo_request")]
    [InlineData("gtp_end_marker")]
    public void Reads_header_fields_scapy_set(string name)
    {
        var vector = ScapyTunnelVectors.Vector(name);
        var bytes = vector.Bytes;
        Assert.True(GtpUHeader.TryCreate(bytes, out var header));
        Assert.Equal(vector.Field("flags"), header.Flags);
        Assert.Equal(1, header.Version);
        Assert.Equal(vector.Field("type"), (uint)header.MessageType);
        Assert.Equal(vector.Field("length"), header.Length);
        Assert.Equal(vector.Field("teid"), header.Teid);
        if (header.HasOptionalFields)
        {
            Assert.Equal(vector.Field("seq"), header.SequenceNumber);
            Assert.Equal(header.NPduNumberPresent ? vector.Field("npdu") : 0u, header.NPduNumber);
        }

        Assert.Equal(vector.Payload, header.Payload.ToArray());
    }

    [Theory]
    [InlineData("gtp_gpdu")]
    [InlineData("gtp_sequence")]
    [InlineData("gtp_npdu")]
    [InlineData("gtp_echo_request")]
    [InlineData("gtp_end_marker")]
    public void Setters_write_what_scapy_writes(string name)
    {
        var vector = ScapyTunnelVectors.Vector(name);
        var expected = vector.Bytes;
        uint flags = vector.Field("flags");
        var bytes = new byte[expected.Length];
        vector.Payload.CopyTo(bytes, expected.Length - vector.Payload.Length);

        Assert.True(GtpUHeader.TryCreateForWrite(bytes, out var header));
        header.Version = 1;
        header.ProtocolType = true;
        header.SequenceNumberPresent = (flags & 0x02) != 0;
        header.NPduNumberPresent = (flags & 0x01) != 0;
        header.MessageType = (GtpUMessageType)vector.Field("type");
        header.Length = (ushort)vector.Field("length");
        header.Teid = vector.Field("teid");
        if (header.HasOptionalFields)
        {
            header.SequenceNumber = (ushort)vector.Field("seq");
            header.NPduNumber = header.NPduNumberPresent ? (byte)vector.Field("npdu") : (byte)0;
        }

        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("gtp_psc_dl")]
    [InlineData("gtp_psc_ul")]
    [InlineData("gtp_psc_dl_qfi63")]
    [InlineData("gtp_psc_dl_ppi")]
    public void Reads_pdu_session_containers_scapy_built(string name)
    {
        var vector = ScapyTunnelVectors.Vector(name);
        var bytes = vector.Bytes;
        Assert.True(GtpUHeader.TryCreate(bytes, out var header));
        Assert.Equal(vector.Field("flags"), header.Flags);
        Assert.Equal(vector.Field("teid"), header.Teid);
        Assert.Equal(vector.Field("length"), header.Length);
        Assert.Equal(12 + (int)vector.Field("extLength"), header.HeaderLength);
        Assert.True(header.TryGetPduSessionContainer(out var container));
        Assert.Equal(vector.Field("pduType"), (uint)container.PduType);
        Assert.Equal(vector.Field("qfi"), container.Qfi);
        if (container.PduType == PduSessionInformationType.Downlink)
        {
            Assert.Equal(vector.Field("rqi") != 0, container.Rqi);
            Assert.Equal(vector.Field("ppp") != 0, container.Ppp);
            Assert.Equal(vector.Field("ppi"), container.Ppi);
        }

        Assert.Equal(vector.Payload, header.Payload.ToArray());
    }

    [Theory]
    [InlineData("gtp_psc_dl")]
    [InlineData("gtp_psc_ul")]
    [InlineData("gtp_psc_dl_qfi63")]
    public void Writer_writes_what_scapy_writes(string name)
    {
        var vector = ScapyTunnelVectors.Vector(name);
        var expected = vector.Bytes;
        var bytes = new byte[expected.Length];
        vector.Payload.CopyTo(bytes, GtpUGPduWriter.HeaderLengthWithPduSessionContainer);
        Assert.True(GtpUGPduWriter.TryWriteWithPduSessionContainer(
            bytes, vector.Field("teid"), vector.Payload.Length, (PduSessionInformationType)vector.Field("pduType"),
            (byte)vector.Field("qfi"), vector.Field("rqi") != 0, out int written));
        Assert.Equal(GtpUGPduWriter.HeaderLengthWithPduSessionContainer, written);
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Plain_writer_writes_what_scapy_writes()
    {
        var vector = ScapyTunnelVectors.Vector("gtp_gpdu");
        var expected = vector.Bytes;
        var bytes = new byte[expected.Length];
        vector.Payload.CopyTo(bytes, GtpUGPduWriter.HeaderLength);
        Assert.True(GtpUGPduWriter.TryWrite(bytes, vector.Field("teid"), vector.Payload.Length, out _));
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Reads_the_udp_port_extension_of_an_error_indication()
    {
        var vector = ScapyTunnelVectors.Vector("gtp_error_indication_udp_port");
        var bytes = vector.Bytes;
        Assert.True(GtpUHeader.TryCreate(bytes, out var header));
        Assert.Equal(GtpUMessageType.ErrorIndication, header.MessageType);
        Assert.True(header.TryGetUdpPort(out ushort port));
        Assert.Equal(vector.Field("udpPort"), port);
        Assert.Equal(vector.Payload, header.Payload.ToArray());
    }

    [Fact]
    public void Walks_a_two_extension_chain()
    {
        var vector = ScapyTunnelVectors.Vector("gtp_chain_udp_port_then_psc");
        var bytes = vector.Bytes;
        Assert.True(GtpUHeader.TryCreate(bytes, out var header));
        var types = new List<GtpUExtensionHeaderType>();
        foreach (var extension in header.ExtensionHeaders)
        {
            types.Add(extension.Type);
        }

        Assert.Equal([GtpUExtensionHeaderType.UdpPort, GtpUExtensionHeaderType.PduSessionContainer], types);
        Assert.True(header.TryGetUdpPort(out ushort port));
        Assert.Equal(vector.Field("udpPort"), port);
        Assert.True(header.TryGetPduSessionContainer(out var container));
        Assert.Equal(vector.Field("qfi"), container.Qfi);
        Assert.Equal(vector.Field("pduType"), (uint)container.PduType);
        Assert.Equal(vector.Payload, header.Payload.ToArray());
    }
}
