namespace Dataplane.Wire.LispControl;

/// <summary>
/// Change-Priority (CP), the fast-mobility message (docs/lisp-control-plane.md), as a LISP Shared Extension Message (RFC 8113,
/// type 15) with the experimental sub-type <see cref="SharedExtensionSubType"/>:
/// <code>
/// |Type=15|        Sub-type = 4032 |           Reserved            |
/// |H|C|  Reserved   |   Reserved    |   Reserved    | Record Count  |
/// |                         Nonce . . .                           |
/// |                         . . . Nonce                           |
/// |            Key ID             |  Authentication Data Length   |
/// ~                     Authentication Data                       ~
/// |  ... Record Count mapping records (as in Map-Register) ...     |
/// </code>
/// The legacy encoding (an option for old peers) puts type 5 in the first nibble, H and C as the next two bits and
/// the record count in the fourth octet, then the same nonce, key id, authentication and records. Type 5 is
/// Map-Notify-Ack in RFC 9301, so <see cref="LispControlMessage.TryParse"/> never picks the legacy form: a receiver
/// configured for it calls <see cref="TryParse(ReadOnlySpan{byte}, out ChangePriority?, out bool, out string)"/>.
/// (The legacy H and C bits sit where Map-Notify-Ack has I and R, so the two cannot be told apart on the wire.)
/// </summary>
public sealed record ChangePriority(ulong Nonce, ushort KeyId, byte[] AuthenticationData, IReadOnlyList<MappingRecord> Records)
{
    /// <summary>The first of RFC 8113's experimental sub-types (4032-4095).</summary>
    public const ushort SharedExtensionSubType = 4032;

    public const byte HypervisorFlag = 0x80;
    public const byte CacheUpdateFlag = 0x40;
    public const byte LegacyHypervisorFlag = 0x08;
    public const byte LegacyCacheUpdateFlag = 0x04;

    /// <summary>Shared-extension word, flags word, nonce, key id, authentication data length.</summary>
    public const int AuthenticationDataOffset = 20;

    public const int LegacyAuthenticationDataOffset = 16;

    /// <summary>H: sent by the hypervisor that just received the VM ("this EID is now behind you").</summary>
    public bool H { get; init; }

    /// <summary>C: xTR to xTR, "overwrite your map-cache entry with these locators".</summary>
    public bool C { get; init; }

    public int SizeOf(bool legacyType5) => (legacyType5 ? 4 : 8) + AuthenticatedBody.Size(AuthenticationData, Records);

    public int Size => SizeOf(false);

    public static int AuthenticationOffset(bool legacyType5) => legacyType5 ? LegacyAuthenticationDataOffset : AuthenticationDataOffset;

    public int Write(Span<byte> destination) => Write(destination, legacyType5: false);

    public int Write(Span<byte> destination, bool legacyType5)
    {
        AuthenticatedBody.CheckRecordCount(Records);
        LispWriter.EnsureRoom(destination, SizeOf(legacyType5), "Change-Priority");
        var writer = new LispWriter(destination);
        if (legacyType5)
        {
            writer.Byte((byte)(((int)LispMessageType.MapNotifyAck << 4) | (H ? LegacyHypervisorFlag : 0) | (C ? LegacyCacheUpdateFlag : 0)));
            writer.Byte(0);
            writer.Byte(0);
        }
        else
        {
            writer.UInt16((ushort)(((int)LispMessageType.SharedExtension << 12) | SharedExtensionSubType));
            writer.UInt16(0);
            writer.Byte((byte)((H ? HypervisorFlag : 0) | (C ? CacheUpdateFlag : 0)));
            writer.Byte(0);
            writer.Byte(0);
        }

        writer.Byte((byte)Records.Count);
        AuthenticatedBody.Write(ref writer, Nonce, KeyId, AuthenticationData, Records);
        return writer.Position;
    }

    public int WriteSigned(Span<byte> destination, ReadOnlySpan<byte> key, bool legacyType5 = false)
    {
        AuthenticatedBody.CheckSignable(KeyId, AuthenticationData);
        int written = Write(destination, legacyType5);
        LispAuthentication.Sign(destination[..written], AuthenticationOffset(legacyType5), AuthenticationData.Length, KeyId, key);
        return written;
    }

    public static bool TryParse(ReadOnlySpan<byte> data, out ChangePriority? message, out string error) =>
        TryParse(data, out message, out _, out error);

    /// <summary>Parses either encoding; <paramref name="legacyType5"/> says which one it was.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out ChangePriority? message, out bool legacyType5, out string error)
    {
        var reader = new LispReader(data, "Change-Priority");
        bool ok = TryRead(ref reader, out message, out legacyType5);
        error = reader.Error;
        return ok;
    }

    public static bool TryParseVerified(ReadOnlySpan<byte> data, Func<ushort, byte[]?> keyLookup, out ChangePriority? message, out string error)
    {
        ArgumentNullException.ThrowIfNull(keyLookup);
        message = null;
        return TryParse(data, out var parsed, out bool legacy, out error) &&
            AuthenticatedBody.Verified(parsed!, parsed!.KeyId, parsed.AuthenticationData.Length, "Change-Priority", data, AuthenticationOffset(legacy), keyLookup, out message, out error);
    }

    private static bool TryRead(ref LispReader reader, out ChangePriority? message, out bool legacyType5)
    {
        message = null;
        legacyType5 = false;
        if (!reader.TryBytes("header", 4, out var head))
        {
            return false;
        }

        int type = head[0] >> 4;
        bool h;
        bool c;
        int recordCount;
        if (type == (int)LispMessageType.SharedExtension)
        {
            int subType = ((head[0] & 0x0F) << 8) | head[1];
            if (subType != SharedExtensionSubType)
            {
                return reader.Fail($"shared extension sub-type {subType} is not {SharedExtensionSubType}");
            }

            if (!reader.TryBytes("flags", 4, out var flags))
            {
                return false;
            }

            h = (flags[0] & HypervisorFlag) != 0;
            c = (flags[0] & CacheUpdateFlag) != 0;
            recordCount = flags[3];
        }
        else if (type == (int)LispMessageType.MapNotifyAck)
        {
            legacyType5 = true;
            h = (head[0] & LegacyHypervisorFlag) != 0;
            c = (head[0] & LegacyCacheUpdateFlag) != 0;
            recordCount = head[3];
        }
        else
        {
            return reader.Fail($"type {type} is neither 15 nor the legacy 5");
        }

        if (!AuthenticatedBody.TryRead(ref reader, recordCount, 0, out ulong nonce, out ushort keyId, out byte[] auth, out var records))
        {
            return false;
        }

        message = new ChangePriority(nonce, keyId, auth, records) { H = h, C = c };
        return true;
    }

    public bool Equals(ChangePriority? other) =>
        other is not null && Nonce == other.Nonce && KeyId == other.KeyId
        && ListEquality.Equal(AuthenticationData, other.AuthenticationData) && ListEquality.Equal(Records, other.Records)
        && H == other.H && C == other.C;

    public override int GetHashCode() =>
        HashCode.Combine(Nonce, KeyId, ListEquality.Hash(AuthenticationData), ListEquality.Hash(Records), H, C);
}
