namespace Dataplane.Wire.LispControl;

/// <summary>
/// Map-Reply (RFC 9301 section 5.4):
/// <code>
/// |Type=2 |P|E|S|          Reserved               | Record Count  |
/// |                         Nonce . . .                           |
/// |                         . . . Nonce                           |
/// |  ... Record Count mapping records ...                         |
/// </code>
/// A negative Map-Reply is one whose records have no locators (their action says what to do).
/// </summary>
public sealed record MapReply(ulong Nonce, IReadOnlyList<MappingRecord> Records)
{
    public const byte ProbeFlag = 0x08;
    public const byte EchoNonceCapableFlag = 0x04;
    public const byte SecurityFlag = 0x02;

    public bool Probe { get; init; }

    public bool EchoNonceCapable { get; init; }

    public bool Security { get; init; }

    public int Size => 12 + MappingRecord.SizeOf(Records);

    public int Write(Span<byte> destination)
    {
        AuthenticatedBody.CheckRecordCount(Records);
        LispWriter.EnsureRoom(destination, Size, "Map-Reply");
        var writer = new LispWriter(destination);
        writer.Byte((byte)(((int)LispMessageType.MapReply << 4) | (Probe ? ProbeFlag : 0)
            | (EchoNonceCapable ? EchoNonceCapableFlag : 0) | (Security ? SecurityFlag : 0)));
        writer.Byte(0);
        writer.Byte(0);
        writer.Byte((byte)Records.Count);
        writer.UInt64(Nonce);
        foreach (var record in Records)
        {
            record.Write(ref writer);
        }

        return writer.Position;
    }

    public static bool TryParse(ReadOnlySpan<byte> data, out MapReply? message, out string error)
    {
        var reader = new LispReader(data, "Map-Reply");
        bool ok = TryRead(ref reader, out message);
        error = reader.Error;
        return ok;
    }

    private static bool TryRead(ref LispReader reader, out MapReply? message)
    {
        message = null;
        if (!reader.TryBytes("header", 4, out var head))
        {
            return false;
        }

        if (head[0] >> 4 != (int)LispMessageType.MapReply)
        {
            return reader.Fail($"type {head[0] >> 4} is not 2");
        }

        if (!reader.TryUInt64("nonce", out ulong nonce) || !MappingRecord.TryReadList(ref reader, head[3], 0, out var records))
        {
            return false;
        }

        message = new MapReply(nonce, records)
        {
            Probe = (head[0] & ProbeFlag) != 0,
            EchoNonceCapable = (head[0] & EchoNonceCapableFlag) != 0,
            Security = (head[0] & SecurityFlag) != 0,
        };
        return true;
    }

    public bool Equals(MapReply? other) =>
        other is not null && Nonce == other.Nonce && ListEquality.Equal(Records, other.Records)
        && Probe == other.Probe && EchoNonceCapable == other.EchoNonceCapable && Security == other.Security;

    public override int GetHashCode() => HashCode.Combine(Nonce, ListEquality.Hash(Records), Probe, EchoNonceCapable, Security);
}
