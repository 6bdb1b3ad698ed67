namespace Dataplane.Wire.LispControl;

/// <summary>
/// Map-Notify (type 4) and Map-Notify-Ack (type 5, <see cref="IsAcknowledgement"/>), RFC 9301 section 5.7:
/// <code>
/// |Type=4 |I|R|          Reserved                 | Record Count  |
/// |                         Nonce . . .                           |
/// |                         . . . Nonce                           |
/// |            Key ID             |  Authentication Data Length   |
/// ~                     Authentication Data                       ~
/// |  ... Record Count mapping records ...                         |
/// |          xTR-ID (128 bits) and site-ID (64 bits), when I is set |
/// </code>
/// </summary>
public sealed record MapNotify(ulong Nonce, ushort KeyId, byte[] AuthenticationData, IReadOnlyList<MappingRecord> Records)
{
    public const byte XtrIdPresentFlag = 0x08;
    public const byte ForRtrFlag = 0x04;
    public const int AuthenticationDataOffset = MapRegister.AuthenticationDataOffset;

    /// <summary>True: type 5, the Map-Notify-Ack an ETR returns; false: type 4, Map-Notify.</summary>
    public bool IsAcknowledgement { get; init; }

    public LispMessageType Type => IsAcknowledgement ? LispMessageType.MapNotifyAck : LispMessageType.MapNotify;

    /// <summary>The R bit: built for an RTR (NAT traversal).</summary>
    public bool ForRtr { get; init; }

    public bool XtrIdPresent { get; init; }

    public UInt128 XtrId { get; init; }

    public ulong SiteId { get; init; }

    public int Size => 4 + AuthenticatedBody.Size(AuthenticationData, Records) + (XtrIdPresent ? MapRegister.XtrIdTrailerLength : 0);

    public int Write(Span<byte> destination)
    {
        AuthenticatedBody.CheckRecordCount(Records);
        LispWriter.EnsureRoom(destination, Size, "Map-Notify");
        var writer = new LispWriter(destination);
        writer.Byte((byte)(((int)Type << 4) | (XtrIdPresent ? XtrIdPresentFlag : 0) | (ForRtr ? ForRtrFlag : 0)));
        writer.Byte(0);
        writer.Byte(0);
        writer.Byte((byte)Records.Count);
        AuthenticatedBody.Write(ref writer, Nonce, KeyId, AuthenticationData, Records);
        if (XtrIdPresent)
        {
            writer.UInt128(XtrId);
            writer.UInt64(SiteId);
        }

        return writer.Position;
    }

    public int WriteSigned(Span<byte> destination, ReadOnlySpan<byte> key)
    {
        AuthenticatedBody.CheckSignable(KeyId, AuthenticationData);
        int written = Write(destination);
        LispAuthentication.Sign(destination[..written], AuthenticationDataOffset, AuthenticationData.Length, KeyId, key);
        return written;
    }

    /// <summary>Parses a type 4 or type 5 message.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out MapNotify? message, out string error)
    {
        var reader = new LispReader(data, "Map-Notify");
        bool ok = TryRead(ref reader, out message);
        error = reader.Error;
        return ok;
    }

    public static bool TryParseVerified(ReadOnlySpan<byte> data, Func<ushort, byte[]?> keyLookup, out MapNotify? message, out string error)
    {
        ArgumentNullException.ThrowIfNull(keyLookup);
        message = null;
        return TryParse(data, out var parsed, out error) &&
            AuthenticatedBody.Verified(parsed!, parsed!.KeyId, parsed.AuthenticationData.Length, "Map-Notify", data, AuthenticationDataOffset, keyLookup, out message, out error);
    }

    private static bool TryRead(ref LispReader reader, out MapNotify? message)
    {
        message = null;
        if (!reader.TryBytes("header", 4, out var head))
        {
            return false;
        }

        int type = head[0] >> 4;
        if (type != (int)LispMessageType.MapNotify && type != (int)LispMessageType.MapNotifyAck)
        {
            return reader.Fail($"type {type} is neither 4 nor 5");
        }

        if (type == (int)LispMessageType.MapNotifyAck)
        {
            reader.Context = "Map-Notify-Ack";
        }

        bool xtrIdPresent = (head[0] & XtrIdPresentFlag) != 0;
        if (!AuthenticatedBody.TryRead(ref reader, head[3], xtrIdPresent ? MapRegister.XtrIdTrailerLength : 0,
                out ulong nonce, out ushort keyId, out byte[] auth, out var records))
        {
            return false;
        }

        UInt128 xtrId = UInt128.Zero;
        ulong siteId = 0;
        if (xtrIdPresent && (!reader.TryUInt128("xTR-ID", out xtrId) || !reader.TryUInt64("site-ID", out siteId)))
        {
            return false;
        }

        message = new MapNotify(nonce, keyId, auth, records)
        {
            IsAcknowledgement = type == (int)LispMessageType.MapNotifyAck,
            ForRtr = (head[0] & ForRtrFlag) != 0,
            XtrIdPresent = xtrIdPresent,
            XtrId = xtrId,
            SiteId = siteId,
        };
        return true;
    }

    public bool Equals(MapNotify? other) =>
        other is not null && Nonce == other.Nonce && KeyId == other.KeyId
        && ListEquality.Equal(AuthenticationData, other.AuthenticationData) && ListEquality.Equal(Records, other.Records)
        && IsAcknowledgement == other.IsAcknowledgement && ForRtr == other.ForRtr
        && XtrIdPresent == other.XtrIdPresent && XtrId == other.XtrId && SiteId == other.SiteId;

    public override int GetHashCode() =>
        HashCode.Combine(Nonce, KeyId, ListEquality.Hash(AuthenticationData), ListEquality.Hash(Records),
            HashCode.Combine(IsAcknowledgement, ForRtr, XtrIdPresent, XtrId, SiteId));
}
