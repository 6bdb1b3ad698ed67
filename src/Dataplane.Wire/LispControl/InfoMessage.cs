namespace Dataplane.Wire.LispControl;

/// <summary>
/// Info-Request and Info-Reply (type 7, R bit set in the reply; draft-ermagan-lisp-nat-traversal section 5.5), how
/// an xTR behind a NAT learns its translated address and port and the RTRs to use:
/// <code>
/// |Type=7 |R|               Reserved                              |
/// |                         Nonce . . .                           |
/// |                      . . . Nonce                              |
/// |            Key ID             |  Authentication Data Length   |
/// ~                     Authentication Data                       ~
/// |                              TTL                              |
/// |   Reserved    | EID mask-len  |        EID-prefix-AFI         |
/// |                          EID-prefix                           |
/// |   AFI = 0 (request), or the NAT-Traversal LCAF (reply)        |
/// </code>
/// The HMAC covers the whole message with the authentication data zeroed, as in a Map-Register (the same key: the
/// site's). TTL is in minutes: how long the requester may keep the reply's RTR list (0 in a request).
/// </summary>
public sealed record InfoMessage(bool IsReply, ulong Nonce, ushort KeyId, byte[] AuthenticationData, uint TtlMinutes,
    LispAddress Eid, byte EidMaskLength, NatTraversalAddresses? Nat)
{
    public const byte ReplyFlag = 0x08;

    /// <summary>First word, nonce, key id, authentication data length.</summary>
    public const int AuthenticationDataOffset = 16;

    public int Size => 4 + AuthenticatedBody.FixedLength + AuthenticationData.Length + 4 + 2 + Eid.Size + (Nat?.Size ?? 2);

    public int Write(Span<byte> destination)
    {
        if (IsReply != Nat is not null)
        {
            throw new ArgumentException(IsReply ? "an Info-Reply carries the NAT-Traversal LCAF" : "an Info-Request carries AFI 0, not the NAT-Traversal LCAF");
        }

        LispWriter.EnsureRoom(destination, Size, IsReply ? "Info-Reply" : "Info-Request");
        var writer = new LispWriter(destination);
        writer.Byte((byte)(((int)LispMessageType.Info << 4) | (IsReply ? ReplyFlag : 0)));
        writer.Byte(0);
        writer.UInt16(0);
        writer.UInt64(Nonce);
        writer.UInt16(KeyId);
        writer.UInt16((ushort)AuthenticationData.Length);
        writer.Bytes(AuthenticationData);
        writer.UInt32(TtlMinutes);
        writer.Byte(0); // Reserved
        writer.Byte(EidMaskLength);
        Eid.Write(ref writer);
        if (Nat is { } nat)
        {
            nat.Write(ref writer);
        }
        else
        {
            writer.UInt16((ushort)LispAfi.None);
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

    public static bool TryParse(ReadOnlySpan<byte> data, out InfoMessage? message, out string error)
    {
        var reader = new LispReader(data, "Info");
        bool ok = TryRead(ref reader, out message);
        error = reader.Error;
        return ok;
    }

    /// <summary>Parses, looks the key up by key id (null: unknown) and checks the HMAC.</summary>
    public static bool TryParseVerified(ReadOnlySpan<byte> data, Func<ushort, byte[]?> keyLookup, out InfoMessage? message, out string error)
    {
        ArgumentNullException.ThrowIfNull(keyLookup);
        message = null;
        return TryParse(data, out var parsed, out error) &&
            AuthenticatedBody.Verified(parsed!, parsed!.KeyId, parsed.AuthenticationData.Length, parsed.IsReply ? "Info-Reply" : "Info-Request",
                data, AuthenticationDataOffset, keyLookup, out message, out error);
    }

    private static bool TryRead(ref LispReader reader, out InfoMessage? message)
    {
        message = null;
        if (!reader.TryBytes("header", 4, out var head))
        {
            return false;
        }

        if (head[0] >> 4 != (int)LispMessageType.Info)
        {
            return reader.Fail($"type {head[0] >> 4} is not 7");
        }

        bool isReply = (head[0] & ReplyFlag) != 0;
        reader.Context = isReply ? "Info-Reply" : "Info-Request";
        if (!reader.TryUInt64("nonce", out ulong nonce)
            || !reader.TryUInt16("key id", out ushort keyId)
            || !reader.TryUInt16("authentication data length", out ushort authLength))
        {
            return false;
        }

        if (authLength > reader.Remaining)
        {
            return reader.Fail($"authentication data length {authLength} runs past the end ({reader.Remaining} left)");
        }

        reader.TryBytes("authentication data", authLength, out var auth);
        if (!reader.TryUInt32("TTL", out uint ttl)
            || !reader.TryByte("reserved", out _)
            || !reader.TryByte("EID mask-len", out byte maskLength)
            || !LispAddress.TryRead(ref reader, "EID-prefix", out var eid))
        {
            return false;
        }

        int maxLength = eid.IsIpv4 ? 32 : eid.IsIpv6 ? 128 : 0;
        if (maskLength > maxLength)
        {
            return reader.Fail($"EID mask-len {maskLength} is longer than the {(eid.IsNone ? "AFI 0" : eid.Afi.ToString())} EID's {maxLength} bits");
        }

        NatTraversalAddresses? nat = null;
        if (isReply)
        {
            if (!NatTraversalAddresses.TryRead(ref reader, out nat))
            {
                return false;
            }
        }
        else if (!reader.TryUInt16("AFI after the EID", out ushort afi))
        {
            return false;
        }
        else if (afi != (ushort)LispAfi.None)
        {
            return reader.Fail($"AFI after the EID is {afi}; an Info-Request carries AFI 0");
        }

        message = new InfoMessage(isReply, nonce, keyId, auth.ToArray(), ttl, eid, maskLength, nat);
        return true;
    }

    public bool Equals(InfoMessage? other) =>
        other is not null && IsReply == other.IsReply && Nonce == other.Nonce && KeyId == other.KeyId
        && ListEquality.Equal(AuthenticationData, other.AuthenticationData) && TtlMinutes == other.TtlMinutes && Eid == other.Eid
        && EidMaskLength == other.EidMaskLength && Equals(Nat, other.Nat);

    public override int GetHashCode() =>
        HashCode.Combine(IsReply, Nonce, KeyId, ListEquality.Hash(AuthenticationData), TtlMinutes, Eid, EidMaskLength, Nat);
}
