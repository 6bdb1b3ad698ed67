using Dataplane.Wire.Tunnels;

namespace Dataplane.Tests.Wire.Tunnels;

/// <summary>Byte vectors laid out by hand from 3GPP TS 29.281 figure 5.1-1 and TS 38.415 figure 5.5.2.1-1.</summary>
public class GtpUHeaderTests
{
    // TS 29.281 figure 5.1-1, octet 1: Version (bits 8-6) = 001, PT (bit 5) = 1, spare, E, S, PN = 0 -> 0x30.
    // Octet 2: message type 255 (G-PDU). Octets 3-4: length = 4 (only the T-PDU). Octets 5-8: TEID 0x0000002A.
    private static readonly byte[] PlainGPdu = [0x30, 0xFF, 0x00, 0x04, 0x00, 0x00, 0x00, 0x2A, 0xDE, 0xAD, 0xBE, 0xEF];

    // Octet 1 with E (bit 3) set -> 0x34. Length 12 = 4 optional octets + 4 extension octets + 4 T-PDU octets.
    // Octets 9-11: sequence number 0, N-PDU number 0; octet 12: next extension type 0x85 (PDU Session Container).
    // TS 38.415 DL PDU SESSION INFORMATION: extension length 1 (4 octets); PDU type 0 in the high nibble -> 0x00;
    // PPP = 0, RQI = 1 (0x40), QFI = 9 -> 0x49; next extension type 0.
    private static readonly byte[] GPduWithDownlinkContainer =
        [0x34, 0xFF, 0x00, 0x0C, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x85, 0x01, 0x00, 0x49, 0x00, 0xDE, 0xAD, 0xBE, 0xEF];

    // UL PDU SESSION INFORMATION: PDU type 1 in the high nibble -> 0x10; QFI 5 -> 0x05.
    private static readonly byte[] GPduWithUplinkContainer =
        [0x34, 0xFF, 0x00, 0x0C, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x85, 0x01, 0x10, 0x05, 0x00, 0xDE, 0xAD, 0xBE, 0xEF];

    [Fact]
    public void Reads_a_plain_g_pdu()
    {
        var bytes = PlainGPdu.ToArray();
        Assert.True(GtpUHeader.TryCreate(bytes, out var header));
        Assert.Equal(1, header.Version);
        Assert.True(header.ProtocolType);
        Assert.False(header.Reserved);
        Assert.False(header.ExtensionHeaderPresent);
        Assert.False(header.SequenceNumberPresent);
        Assert.False(header.NPduNumberPresent);
        Assert.False(header.HasOptionalFields);
        Assert.Equal(GtpUMessageType.GPdu, header.MessageType);
        Assert.Equal(4, header.Length);
        Assert.Equal(42u, header.Teid);
        Assert.Equal(0, header.SequenceNumber);
        Assert.Equal(GtpUExtensionHeaderType.NoMoreExtensionHeaders, header.NextExtensionHeaderType);
        Assert.Equal(8, header.HeaderLength);
        Assert.Equal(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }, header.Payload.ToArray());
        Assert.False(header.TryGetPduSessionContainer(out _));
    }

    [Fact]
    public void Reads_a_downlink_pdu_session_container()
    {
        var bytes = GPduWithDownlinkContainer.ToArray();
        Assert.True(GtpUHeader.TryCreate(bytes, out var header));
        Assert.True(header.ExtensionHeaderPresent);
        Assert.True(header.HasOptionalFields);
        Assert.Equal(GtpUExtensionHeaderType.PduSessionContainer, header.NextExtensionHeaderType);
        Assert.Equal(16, header.HeaderLength);
        Assert.Equal(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }, header.Payload.ToArray());

        int count = 0;
        foreach (var extension in header.ExtensionHeaders)
        {
            count++;
            Assert.Equal(GtpUExtensionHeaderType.PduSessionContainer, extension.Type);
            Assert.Equal(4, extension.Length);
            Assert.Equal(GtpUExtensionHeaderType.NoMoreExtensionHeaders, extension.NextType);
        }

        Assert.Equal(1, count);
        Assert.True(header.TryGetPduSessionContainer(out var container));
        Assert.Equal(PduSessionInformationType.Downlink, container.PduType);
        Assert.Equal(9, container.Qfi);
        Assert.True(container.Rqi);
        Assert.False(container.Ppp);
        Assert.False(container.HasPpi);
    }

    [Fact]
    public void Reads_an_uplink_pdu_session_container()
    {
        var bytes = GPduWithUplinkContainer.ToArray();
        Assert.True(GtpUHeader.TryCreate(bytes, out var header));
        Assert.True(header.TryGetPduSessionContainer(out var container));
        Assert.Equal(PduSessionInformationType.Uplink, container.PduType);
        Assert.Equal(5, container.Qfi);
        Assert.False(container.Rqi);
    }

    [Fact]
    public void Writer_builds_the_hand_laid_headers()
    {
        var plain = new byte[PlainGPdu.Length];
        new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }.CopyTo(plain, 8);
        Assert.True(GtpUGPduWriter.TryWrite(plain, teid: 42, tPduLength: 4, out int written));
        Assert.Equal(8, written);
        Assert.Equal(PlainGPdu, plain);

        var down = new byte[GPduWithDownlinkContainer.Length];
        new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }.CopyTo(down, 16);
        Assert.True(GtpUGPduWriter.TryWriteWithPduSessionContainer(down, 1, 4, PduSessionInformationType.Downlink, qfi: 9, rqi: true, out written));
        Assert.Equal(16, written);
        Assert.Equal(GPduWithDownlinkContainer, down);

        var up = new byte[GPduWithUplinkContainer.Length];
        new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }.CopyTo(up, 16);
        Assert.True(GtpUGPduWriter.TryWriteWithPduSessionContainer(up, 1, 4, PduSessionInformationType.Uplink, qfi: 5, rqi: true, out _));
        Assert.Equal(GPduWithUplinkContainer, up);
    }

    [Fact]
    public void Writer_refuses_what_it_cannot_encode()
    {
        var buffer = new byte[32];
        Assert.False(GtpUGPduWriter.TryWrite(buffer.AsSpan(0, 7), 1, 0, out _));
        Assert.False(GtpUGPduWriter.TryWrite(buffer, 1, 65536, out _));
        Assert.False(GtpUGPduWriter.TryWrite(buffer, 1, -1, out _));
        Assert.True(GtpUGPduWriter.TryWrite(buffer, 1, 65535, out _));
        Assert.False(GtpUGPduWriter.TryWriteWithPduSessionContainer(buffer.AsSpan(0, 15), 1, 0, PduSessionInformationType.Downlink, 1, false, out _));
        Assert.False(GtpUGPduWriter.TryWriteWithPduSessionContainer(buffer, 1, 0, PduSessionInformationType.Downlink, 64, false, out _));
        Assert.False(GtpUGPduWriter.TryWriteWithPduSessionContainer(buffer, 1, 65535 - 7, PduSessionInformationType.Downlink, 1, false, out _));
        Assert.True(GtpUGPduWriter.TryWriteWithPduSessionContainer(buffer, 1, 65535 - 8, PduSessionInformationType.Downlink, 1, false, out _));
        Assert.False(GtpUGPduWriter.TryWriteWithPduSessionContainer(buffer, 1, 0, (PduSessionInformationType)2, 1, false, out _));
    }

    [Fact]
    public void Setters_write_every_field()
    {
        // 0x37 = version 1, PT, E, S, PN. Message type 26 (Error Indication), length 8, TEID 0x01020304,
        // sequence 0xBEEF, N-PDU 0x5A, next extension 0x40 (UDP Port): length 1, port 2152 (0x0868), next 0.
        byte[] expected = [0x37, 0x1A, 0x00, 0x08, 0x01, 0x02, 0x03, 0x04, 0xBE, 0xEF, 0x5A, 0x40, 0x01, 0x08, 0x68, 0x00];
        var bytes = new byte[16];
        Assert.True(GtpUHeader.TryCreateForWrite(bytes, out var header));
        header.Version = 1;
        header.ProtocolType = true;
        header.ExtensionHeaderPresent = true;
        header.SequenceNumberPresent = true;
        header.NPduNumberPresent = true;
        header.MessageType = GtpUMessageType.ErrorIndication;
        header.Length = 8;
        header.Teid = 0x01020304;
        header.SequenceNumber = 0xBEEF;
        header.NPduNumber = 0x5A;
        header.NextExtensionHeaderType = GtpUExtensionHeaderType.UdpPort;
        bytes[12] = 1; // extension length: the walker below finds it and the setter fills the port
        foreach (var extension in header.ExtensionHeaders)
        {
            Assert.True(extension.TrySetUdpPort(2152));
            extension.NextType = GtpUExtensionHeaderType.NoMoreExtensionHeaders;
        }

        Assert.Equal(expected, bytes);
        Assert.True(GtpUHeader.TryCreate(bytes, out var parsed));
        Assert.True(parsed.TryGetUdpPort(out ushort port));
        Assert.Equal(2152, port);
        Assert.Equal(0, parsed.Payload.Length);

        header.Reserved = true;
        Assert.Equal(0x3F, bytes[0]);
    }

    [Fact]
    public void Optional_field_setters_write_nothing_when_the_fields_are_absent()
    {
        var bytes = PlainGPdu.ToArray();
        GtpUHeader.TryCreate(bytes, out var header);
        header.SequenceNumber = 0x1234;
        header.NPduNumber = 9;
        header.NextExtensionHeaderType = GtpUExtensionHeaderType.PduSessionContainer;
        Assert.Equal(PlainGPdu, bytes);
    }

    [Fact]
    public void Pdu_session_container_setters_and_ppi()
    {
        // DL, PPP set: content is 6 octets (extension length 2): 00 | PPP+QFI 3 = 0x83 | PPI 5 << 5 = 0xA0 | 0 0 0.
        byte[] content = [0x00, 0x83, 0xA0, 0x00, 0x00, 0x00];
        Assert.True(PduSessionContainer.TryCreate(content, out var container));
        Assert.True(container.Ppp);
        Assert.True(container.HasPpi);
        Assert.Equal(5, container.Ppi);
        Assert.Equal(3, container.Qfi);
        container.Ppi = 2;
        container.Qfi = 63;
        container.Rqi = true;
        container.PduType = PduSessionInformationType.Uplink;
        Assert.Equal(new byte[] { 0x10, 0xFF, 0x40, 0x00, 0x00, 0x00 }, content);
        Assert.False(container.HasPpi); // UL has no PPI
        Assert.Equal(0, container.Ppi);
        Assert.False(PduSessionContainer.TryCreate(content.AsSpan(0, 1), out _));
    }

    [Theory]
    [InlineData(0x10)] // version 0 (GTPv0)
    [InlineData(0x50)] // version 2 (GTPv2-C layout)
    [InlineData(0x20)] // PT = 0 (GTP')
    public void Refuses_other_versions_and_gtp_prime(byte flags)
    {
        var bytes = PlainGPdu.ToArray();
        bytes[0] = flags;
        Assert.False(GtpUHeader.TryCreate(bytes, out _));
    }

    [Fact]
    public void Accepts_trailing_padding_and_bounds_payload_by_the_length_field()
    {
        byte[] bytes = [.. PlainGPdu, 0x00, 0x00, 0x00];
        Assert.True(GtpUHeader.TryCreate(bytes, out var header));
        Assert.Equal(4, header.Payload.Length);
        Assert.Equal(12, header.Message.Length);
    }

    [Fact]
    public void Ports_are_the_3gpp_ones()
    {
        Assert.Equal(2152, GtpUHeader.UdpPort);
        Assert.Equal(2152, TunnelPorts.GtpU);
        Assert.Equal(2123, TunnelPorts.GtpC);
    }
}
