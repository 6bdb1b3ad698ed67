namespace Dataplane.Wire.LispControl;

/// <summary>
/// Map-Register (RFC 9301 section 5.6):
/// <code>
/// |Type=3 |P|S|I|        Reserved               |E|T|a|R|M| Record Count  |
/// |                         Nonce . . .                           |
/// |                         . . . Nonce                           |
/// |            Key ID             |  Authentication Data Length   |
/// ~                     Authentication Data                       ~
/// |  ... Record Count mapping records ...                         |
/// |                 xTR-ID (128 bits, when I is set)              |
/// |                 site-ID (64 bits, when I is set)              |
/// </code>
/// The Key ID field is 16 bits here; see <see cref="LispAuthentication"/> for how RFC 9301 splits it.
/// To send it authenticated: <see cref="WriteSigned"/>; to accept it: <see cref="TryParseVerified"/>.
/// </summary>
public sealed record MapRegister(ulong Nonce, ushort KeyId, byte[] AuthenticationData, IReadOnlyList<MappingRecord> Records)
{
    public const byte ProxyReplyFlag = 0x08;
    public const byte SecurityFlag = 0x04;
    public const byte XtrIdPresentFlag = 0x02;

    /// <summary>The M bit, in the third octet.</summary>
    public const byte WantMapNotifyFlag = 0x01;

    /// <summary>First word, nonce, key id, authentication data length.</summary>
    public const int AuthenticationDataOffset = 16;

    /// <summary>The xTR-ID (16 bytes) and site-ID (8 bytes) after the records when I is set.</summary>
    public const int XtrIdTrailerLength = 24;

    public bool ProxyReply { get; init; }

    public bool Security { get; init; }

    public bool WantMapNotify { get; init; }

    public bool XtrIdPresent { get; init; }

    public UInt128 XtrId { get; init; }

    public ulong SiteId { get; init; }

    public int Size => 4 + AuthenticatedBody.Size(AuthenticationData, Records) + (XtrIdPresent ? XtrIdTrailerLength : 0);

    public int Write(Span<byte> destination)
    {
        AuthenticatedBody.CheckRecordCount(Records);
        LispWriter.EnsureRoom(destination, Size, "Map-Register");
        var writer = new LispWriter(destination);
        writer.Byte((byte)(((int)LispMessageType.MapRegister << 4) | (ProxyReply ? ProxyReplyFlag : 0)
            | (Security ? SecurityFlag : 0) | (XtrIdPresent ? XtrIdPresentFlag : 0)));
        writer.Byte(0);
        writer.Byte(WantMapNotify ? WantMapNotifyFlag : (byte)0);
        writer.Byte((byte)Records.Count);
        AuthenticatedBody.Write(ref writer, Nonce, KeyId, AuthenticationData, Records);
        if (XtrIdPresent)
        {
            writer.UInt128(XtrId);
            writer.UInt64(SiteId);
        }

        return writer.Position;
    }

    /// <summary>Writes the message and signs it with <paramref name="key"/> (the field must have the key id's length).</summary>
    public int WriteSigned(Span<byte> destination, ReadOnlySpan<byte> key)
    {
        AuthenticatedBody.CheckSignable(KeyId, AuthenticationData);
        int written = Write(destination);
        LispAuthentication.Sign(destination[..written], AuthenticationDataOffset, AuthenticationData.Length, KeyId, key);
        return written;
    }

    public static bool TryParse(ReadOnlySpan<byte> data, out MapRegister? message, out string error)
    {
        var reader = new LispReader(data, "Map-Register");
        bool ok = TryRead(ref reader, out message);
        error = reader.Error;
        return ok;
    }

    /// <summary>Parses, looks the key up by key id (null: unknown) and checks the HMAC.</summary>
    public static bool TryParseVerified(ReadOnlySpan<byte> data, Func<ushort, byte[]?> keyLookup, out MapRegister? message, out string error)
    {
        ArgumentNullException.ThrowIfNull(keyLookup);
        message = null;
        return TryParse(data, out var parsed, out error) &&
            AuthenticatedBody.Verified(parsed!, parsed!.KeyId, parsed.AuthenticationData.Length, "Map-Register", data, AuthenticationDataOffset, keyLookup, out message, out error);
    }

    private static bool TryRead(ref LispReader reader, out MapRegister? message)
    {
        message = null;
        if (!reader.TryBytes("header", 4, out var head))
        {
            return false;
        }

        if (head[0] >> 4 != (int)LispMessageType.MapRegister)
        {
            return reader.Fail($"type {head[0] >> 4} is not 3");
        }

        bool xtrIdPresent = (head[0] & XtrIdPresentFlag) != 0;
        if (!AuthenticatedBody.TryRead(ref reader, head[3], xtrIdPresent ? XtrIdTrailerLength : 0,
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

        message = new MapRegister(nonce, keyId, auth, records)
        {
            ProxyReply = (head[0] & ProxyReplyFlag) != 0,
            Security = (head[0] & SecurityFlag) != 0,
            WantMapNotify = (head[2] & WantMapNotifyFlag) != 0,
            XtrIdPresent = xtrIdPresent,
            XtrId = xtrId,
            SiteId = siteId,
        };
        return true;
    }

    public bool Equals(MapRegister? other) =>
        other is not null && Nonce == other.Nonce && KeyId == other.KeyId
        && ListEquality.Equal(AuthenticationData, other.AuthenticationData) && ListEquality.Equal(Records, other.Records)
        && ProxyReply == other.ProxyReply && Security == other.Security && WantMapNotify == other.WantMapNotify
        && XtrIdPresent == other.XtrIdPresent && XtrId == other.XtrId && SiteId == other.SiteId;

    public override int GetHashCode() =>
        HashCode.Combine(Nonce, KeyId, ListEquality.Hash(AuthenticationData), ListEquality.Hash(Records),
            HashCode.Combine(ProxyReply, Security, WantMapNotify, XtrIdPresent, XtrId, SiteId));
}
