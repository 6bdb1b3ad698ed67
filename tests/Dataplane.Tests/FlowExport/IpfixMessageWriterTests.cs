using Dataplane.Wire.Addresses;
using Dataplane.Wire.Ipfix;

namespace Dataplane.Tests.FlowExport;

/// <summary>
/// The IPFIX message writer against RFC 7011's layout, checked octet by octet by hand (section 3.1 message header,
/// 3.3.2 set header, 3.4.1 template record, 3.2 field specifier with the E bit and enterprise number), then read by
/// tshark's cflow dissector and Scapy's netflow layer.
/// </summary>
public sealed class IpfixMessageWriterTests
{
    // Template 256: sourceIPv4Address (8, 4 octets), packetDeltaCount (2, 8 octets), and enterprise element 1 of PEN
    // 32473 (4 octets). Records: 192.0.2.1 / 5 / 256 and 198.51.100.1 / 1000 / 0xFFFFFFFF.
    private const string Expected =
        "000a" + "004c" + "5f5e1000" + "00000007" + "00000001"          // version 10, length 76, export time 1600000000, sequence 7, domain 1
        + "0002" + "0018"                                               // template set, 24 octets
        + "0100" + "0003"                                               // template 256, 3 fields
        + "0008" + "0004" + "0002" + "0008" + "8001" + "0004" + "00007ed9" // 8/4, 2/8, E=1 element 1 length 4 PEN 32473
        + "0100" + "0024"                                               // data set of template 256, 36 octets
        + "c0000201" + "0000000000000005" + "00000100"
        + "c6336401" + "00000000000003e8" + "ffffffff";

    private static readonly IpfixTemplate Template = new(256,
        [new(IpfixElements.SourceIpv4Address, 4), new(IpfixElements.PacketDeltaCount, 8), new(1, 4, 32473)]);

    [Fact]
    public void A_template_set_and_a_data_set_have_rfc_7011_layout()
    {
        Assert.Equal(Expected, Convert.ToHexString(Message()).ToLowerInvariant());
        Assert.Equal(16, Template.RecordLength);
        Assert.Equal(20, Template.TemplateRecordLength);
    }

    [Fact]
    public void Tshark_reads_the_header_the_template_and_the_records()
    {
        var frame = Assert.Single(IpfixOracles.Tshark([Message()], "cflow.version", "cflow.len", "cflow.sequence", "cflow.od_id", "cflow.template_id",
            "cflow.template_ipfix_field_type", "cflow.template_ipfix_field_type_enterprise", "cflow.template_field_length", "cflow.template_ipfix_field_pen", "cflow.srcaddr", "cflow.packets"));
        Assert.Equal(["10"], frame["cflow.version"]);
        Assert.Equal(["76"], frame["cflow.len"]);
        Assert.Equal(["7"], frame["cflow.sequence"]);
        Assert.Equal(["1"], frame["cflow.od_id"]);
        Assert.Equal("256", frame["cflow.template_id"][0]);
        Assert.Equal(["8", "2"], frame["cflow.template_ipfix_field_type"]);
        Assert.Equal(["1"], frame["cflow.template_ipfix_field_type_enterprise"]);
        Assert.Equal(["4", "8", "4"], frame["cflow.template_field_length"]);
        Assert.Equal(["32473"], frame["cflow.template_ipfix_field_pen"]);
        Assert.Equal(["192.0.2.1", "198.51.100.1"], frame["cflow.srcaddr"]);
        Assert.Equal(["5", "1000"], frame["cflow.packets"]);
    }

    [Fact]
    public void Scapy_reads_the_header_and_the_records()
    {
        var (headers, records) = IpfixOracles.Scapy([Message()]);
        var header = Assert.Single(headers);
        Assert.Equal(10, header.GetProperty("version").GetInt32());
        Assert.Equal(76, header.GetProperty("length").GetInt32());
        Assert.Equal(7, header.GetProperty("sequence").GetInt64());
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal(256, r.Template));
        Assert.Equal("198.51.100.1", records[1].Fields.GetProperty("IPV4_SRC_ADDR").GetString());
        Assert.Equal(1000, records[1].Fields.GetProperty("IN_PKTS").GetInt64());
    }

    [Fact]
    public void A_record_that_does_not_fit_is_refused_and_the_message_stays_whole()
    {
        var buffer = new byte[16 + 4 + 16 + 10]; // room for one record, not two
        var writer = new IpfixMessageWriter(buffer, 1, 0, 1);
        Assert.True(writer.TryBeginSet(Template.Id, Template.RecordLength));
        Assert.True(writer.TryBeginRecord(Template));
        WriteRecord(ref writer, 1, 1, 1);
        Assert.False(writer.TryBeginRecord(Template));
        Assert.Equal(1, writer.DataRecords);
        int length = writer.Finish();
        Assert.Equal(36, length);
        Assert.Equal("0024", Convert.ToHexString(buffer, 2, 2));   // message length
        Assert.Equal("01000014", Convert.ToHexString(buffer, 16, 4)); // set 256, 20 octets
    }

    [Fact]
    public void An_empty_set_is_taken_back()
    {
        var buffer = new byte[100];
        var writer = new IpfixMessageWriter(buffer, 1, 0, 1);
        Assert.True(writer.TryBeginSet(Template.Id, Template.RecordLength));
        Assert.Equal(16, writer.Finish());
    }

    [Fact]
    public void An_ipv4_address_in_an_ipv6_field_is_ipv4_mapped()
    {
        var buffer = new byte[64];
        var writer = new IpfixMessageWriter(buffer, 1, 0, 1);
        var template = new IpfixTemplate(300, [new(IpfixElements.SourceIpv6Address, 16)]);
        writer.TryBeginSet(template.Id, 16);
        writer.TryBeginRecord(template);
        writer.WriteIpv6(new IpAddress(new Ipv4Address(0xC0000201)));
        writer.Finish();
        Assert.Equal("00000000000000000000FFFFC0000201", Convert.ToHexString(buffer, 20, 16));
    }

    private static byte[] Message()
    {
        var buffer = new byte[1400];
        var writer = new IpfixMessageWriter(buffer, 1_600_000_000, 7, 1);
        Assert.True(writer.TryBeginSet(IpfixMessageWriter.TemplateSetId, Template.TemplateRecordLength));
        Assert.True(writer.TryAddTemplate(Template));
        Assert.True(writer.TryBeginSet(Template.Id, Template.RecordLength));
        Assert.True(writer.TryBeginRecord(Template));
        WriteRecord(ref writer, 0xC0000201, 5, 256);
        Assert.True(writer.TryBeginRecord(Template));
        WriteRecord(ref writer, 0xC6336401, 1000, 0xFFFFFFFF);
        int length = writer.Finish();
        return buffer[..length];
    }

    private static void WriteRecord(ref IpfixMessageWriter writer, uint source, ulong packets, uint enterpriseValue)
    {
        writer.WriteIpv4(new Ipv4Address(source));
        writer.WriteUInt64(packets);
        writer.WriteUInt32(enterpriseValue);
    }
}
