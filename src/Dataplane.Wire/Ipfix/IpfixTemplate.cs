namespace Dataplane.Wire.Ipfix;

/// <summary>
/// A template (RFC 7011 section 3.4.1): its ID (256 and above) and its fields in order. Every record of it has the
/// same length, the sum of the fields' lengths (no variable-length field is used).
/// </summary>
public sealed class IpfixTemplate
{
    /// <summary>The lowest template ID; 0..255 are set IDs (2 template, 3 options template).</summary>
    public const ushort FirstId = 256;

    public IpfixTemplate(ushort id, IReadOnlyList<IpfixFieldSpecifier> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentOutOfRangeException.ThrowIfLessThan(id, FirstId);
        ArgumentOutOfRangeException.ThrowIfZero(fields.Count);
        Id = id;
        Fields = fields;
        int record = 0, template = IpfixMessageWriter.TemplateRecordHeaderLength;
        foreach (var field in fields)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(field.ElementId, (ushort)0x7FFF, nameof(fields));
            ArgumentOutOfRangeException.ThrowIfZero(field.Length, nameof(fields));
            record += field.Length;
            template += field.EncodedLength;
        }

        RecordLength = record;
        TemplateRecordLength = template;
    }

    public ushort Id { get; }

    public IReadOnlyList<IpfixFieldSpecifier> Fields { get; }

    /// <summary>Octets of one data record of this template.</summary>
    public int RecordLength { get; }

    /// <summary>Octets of the template record itself (header and field specifiers).</summary>
    public int TemplateRecordLength { get; }
}
