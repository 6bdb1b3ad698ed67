using System.Buffers.Binary;
using Dataplane.Wire.Addresses;

namespace Dataplane.Wire.Ipfix;

/// <summary>
/// Writes one IPFIX message (RFC 7011 section 3) into a caller's buffer: the 16-octet message header, then sets,
/// each a 4-octet set header (2 for templates, a template ID for data) and its records. The writer never writes past
/// the buffer: <see cref="TryBeginSet"/>, <see cref="TryAddTemplate"/> and <see cref="TryBeginRecord"/> say no when
/// what they would add does not fit, and the message written so far stays whole. <see cref="Finish"/> fills in the
/// lengths and returns the message's size. No padding is added (the sets end on the record boundaries, section 3.3.1).
/// </summary>
/// <example>
/// <code>var writer = new IpfixMessageWriter(buffer, exportTime, sequence, domain);
/// writer.TryBeginSet(template.Id);
/// if (writer.TryBeginRecord(template)) { writer.WriteUInt32(...); ... }
/// int length = writer.Finish();</code>
/// </example>
public ref struct IpfixMessageWriter
{
    /// <summary>The version field: 10 for IPFIX (NetFlow v9 is 9).</summary>
    public const ushort Version = 10;

    public const int MessageHeaderLength = 16;
    public const int SetHeaderLength = 4;
    public const int TemplateRecordHeaderLength = 4;

    /// <summary>Set ID of a template set.</summary>
    public const ushort TemplateSetId = 2;

    private readonly Span<byte> buffer;
    private int position;
    private int setStart = -1;
    private int recordEnd;

    /// <param name="buffer">Where the message goes; its length is the most the message may take (the path MTU's share).</param>
    /// <param name="exportTime">Seconds since the UNIX epoch when the message leaves the exporter.</param>
    /// <param name="sequenceNumber">Data records sent before this message in this stream and domain, modulo 2^32 (section 3.1).</param>
    /// <param name="observationDomainId">The domain the records are observed in.</param>
    public IpfixMessageWriter(Span<byte> buffer, uint exportTime, uint sequenceNumber, uint observationDomainId)
    {
        if (buffer.Length < MessageHeaderLength + SetHeaderLength)
        {
            throw new ArgumentException($"an IPFIX message needs at least {MessageHeaderLength + SetHeaderLength} octets", nameof(buffer));
        }

        this.buffer = buffer;
        BinaryPrimitives.WriteUInt16BigEndian(buffer, Version);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], exportTime);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[8..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[12..], observationDomainId);
        position = MessageHeaderLength;
    }

    /// <summary>Octets written so far (the message header included).</summary>
    public readonly int Length => position;

    /// <summary>Data records begun in this message (each counts toward the next message's sequence number).</summary>
    public int DataRecords { get; private set; }

    /// <summary>Whether a set is open and holds at least one record.</summary>
    public readonly bool SetHasRecords => setStart >= 0 && position > setStart + SetHeaderLength;

    /// <summary>
    /// Opens a set (closing the one open): <see cref="TemplateSetId"/> or a template's ID for its data records. False,
    /// with nothing written, when the set header and <paramref name="firstRecordLength"/> octets would not fit.
    /// </summary>
    public bool TryBeginSet(ushort setId, int firstRecordLength)
    {
        EndSet();
        if (position + SetHeaderLength + firstRecordLength > buffer.Length)
        {
            return false;
        }

        setStart = position;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[position..], setId);
        position += SetHeaderLength;
        return true;
    }

    /// <summary>Adds a template record to the open template set; false, with nothing written, when it does not fit.</summary>
    public bool TryAddTemplate(IpfixTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (setStart < 0 || position + template.TemplateRecordLength > buffer.Length)
        {
            return false;
        }

        var record = buffer[position..];
        BinaryPrimitives.WriteUInt16BigEndian(record, template.Id);
        BinaryPrimitives.WriteUInt16BigEndian(record[2..], (ushort)template.Fields.Count);
        int at = TemplateRecordHeaderLength;
        foreach (var field in template.Fields)
        {
            bool enterprise = field.EnterpriseNumber != 0;
            BinaryPrimitives.WriteUInt16BigEndian(record[at..], (ushort)(field.ElementId | (enterprise ? 0x8000 : 0)));
            BinaryPrimitives.WriteUInt16BigEndian(record[(at + 2)..], field.Length);
            if (enterprise)
            {
                BinaryPrimitives.WriteUInt32BigEndian(record[(at + 4)..], field.EnterpriseNumber);
            }

            at += field.EncodedLength;
        }

        position += at;
        return true;
    }

    /// <summary>
    /// Starts a data record of <paramref name="template"/> in the open set (which must be the template's); false, with
    /// nothing written, when it does not fit. The caller then writes exactly the template's fields, in order.
    /// </summary>
    public bool TryBeginRecord(IpfixTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (setStart < 0 || recordEnd > position || position + template.RecordLength > buffer.Length)
        {
            return false;
        }

        recordEnd = position + template.RecordLength;
        DataRecords++;
        return true;
    }

    public void WriteUInt8(byte value) => buffer[position++] = value;

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer[position..], value);
        position += 2;
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(buffer[position..], value);
        position += 4;
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(buffer[position..], value);
        position += 8;
    }

    public void WriteIpv4(Ipv4Address address) => WriteUInt32(address.Value);

    public void WriteIpv6(Ipv6Address address)
    {
        address.Write(buffer[position..]);
        position += Ipv6Address.Size;
    }

    /// <summary>An IPv6 field holding either family: an IPv4 address as IPv4-mapped (::ffff:a.b.c.d, RFC 4291 section 2.5.5.2).</summary>
    public void WriteIpv6(IpAddress address) => WriteIpv6(address.IsV4 ? new Ipv6Address(((UInt128)0xFFFF << 32) | address.AsV4().Value) : address.AsV6());

    /// <summary>Closes the open set, writing its length; an empty set (no record) is taken back.</summary>
    public void EndSet()
    {
        if (setStart < 0)
        {
            return;
        }

        if (recordEnd > position)
        {
            throw new InvalidOperationException($"a record ends at {recordEnd} but only {position} octets were written");
        }

        if (position == setStart + SetHeaderLength)
        {
            position = setStart; // RFC 7011 section 3.3.1: a set holds at least one record
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(buffer[(setStart + 2)..], (ushort)(position - setStart));
        }

        setStart = -1;
    }

    /// <summary>Closes the open set and writes the message length; the message is <c>buffer[..returned]</c>.</summary>
    public int Finish()
    {
        EndSet();
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], (ushort)position);
        return position;
    }
}
