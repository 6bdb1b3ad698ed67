namespace Dataplane.Wire.LispControl;

/// <summary>
/// The part Map-Register, Map-Notify and Change-Priority share after their first word:
/// <code>
/// |                         Nonce . . .                           |
/// |                         . . . Nonce                           |
/// |            Key ID             |  Authentication Data Length   |
/// ~                     Authentication Data                       ~
/// |  ... mapping records ...                                      |
/// </code>
/// </summary>
internal static class AuthenticatedBody
{
    /// <summary>Nonce, key id, authentication data length.</summary>
    public const int FixedLength = 12;

    public static int Size(byte[] authenticationData, IReadOnlyList<MappingRecord> records) =>
        FixedLength + authenticationData.Length + MappingRecord.SizeOf(records);

    public static void CheckRecordCount(IReadOnlyList<MappingRecord> records)
    {
        if (records.Count > byte.MaxValue)
        {
            throw new ArgumentException($"a message holds at most 255 records, this one has {records.Count}");
        }
    }

    public static void Write(ref LispWriter writer, ulong nonce, ushort keyId, byte[] authenticationData, IReadOnlyList<MappingRecord> records)
    {
        writer.UInt64(nonce);
        writer.UInt16(keyId);
        writer.UInt16((ushort)authenticationData.Length);
        writer.Bytes(authenticationData);
        foreach (var record in records)
        {
            record.Write(ref writer);
        }
    }

    public static bool TryRead(ref LispReader reader, int recordCount, int trailerLength,
        out ulong nonce, out ushort keyId, out byte[] authenticationData, out MappingRecord[] records)
    {
        authenticationData = [];
        records = [];
        keyId = 0;
        if (!reader.TryUInt64("nonce", out nonce)
            || !reader.TryUInt16("key id", out keyId)
            || !reader.TryUInt16("authentication data length", out ushort authLength))
        {
            return false;
        }

        int expected = LispAuthentication.AuthenticationLength(keyId);
        if (expected >= 0 && authLength != expected)
        {
            return reader.Fail($"authentication data length {authLength} does not match key id {keyId} (needs {expected})");
        }

        if (authLength > reader.Remaining)
        {
            return reader.Fail($"authentication data length {authLength} runs past the end ({reader.Remaining} left)");
        }

        reader.TryBytes("authentication data", authLength, out var auth);
        authenticationData = auth.ToArray();
        return MappingRecord.TryReadList(ref reader, recordCount, trailerLength, out records);
    }

    internal static void CheckSignable(ushort keyId, byte[] authenticationData)
    {
        int length = LispAuthentication.AuthenticationLength(keyId);
        if (length <= 0 || authenticationData.Length != length)
        {
            throw new ArgumentException($"to sign with key id {keyId} the authentication data must be {length} bytes, it is {authenticationData.Length}");
        }
    }

    internal static bool VerifyParsed(string messageName, ReadOnlySpan<byte> data, int offset, ushort keyId, Func<ushort, byte[]?> keyLookup, out string error)
    {
        error = "";
        if (!LispAuthentication.IsKnown(keyId) || keyId == LispAuthentication.None)
        {
            error = $"{messageName}: key id {keyId} names no known HMAC algorithm";
            return false;
        }

        byte[]? key = keyLookup(keyId);
        if (key is null)
        {
            error = $"{messageName}: no key for key id {keyId}";
            return false;
        }

        if (!LispAuthentication.Verify(data, offset, keyId, key))
        {
            error = $"{messageName}: authentication data does not match (wrong key or altered message)";
            return false;
        }

        return true;
    }

    /// <summary>The HMAC check of a parsed message: <paramref name="message"/> is <paramref name="parsed"/> when it verifies, null otherwise.</summary>
    internal static bool Verified<T>(T parsed, ushort keyId, string messageName, ReadOnlySpan<byte> data, int authenticationOffset,
        Func<ushort, byte[]?> keyLookup, out T? message, out string error)
        where T : class
    {
        bool ok = VerifyParsed(messageName, data, authenticationOffset, keyId, keyLookup, out error);
        message = ok ? parsed : null;
        return ok;
    }
}
