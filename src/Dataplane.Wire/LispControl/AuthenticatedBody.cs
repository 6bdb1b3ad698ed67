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

        // Any length that fits is read: whether it is one of the algorithm's two forms is the verifier's question
        // (LispAuthentication.IsAcceptedLength), so a refusal can say which rule the sender broke.
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
        if (keyId == LispAuthentication.None || !LispAuthentication.IsAcceptedLength(keyId, authenticationData.Length))
        {
            throw new ArgumentException($"to sign with key id {keyId} the authentication data must be {DescribeLengths(keyId)} bytes, it is {authenticationData.Length}");
        }
    }

    /// <summary>"20 or 12": the two lengths a key id's algorithm is sent with, full first.</summary>
    internal static string DescribeLengths(ushort keyId) =>
        $"{LispAuthentication.AuthenticationLength(keyId)} or {LispAuthentication.AuthenticationLength(keyId, truncated: true)}";

    internal static bool VerifyParsed(string messageName, ReadOnlySpan<byte> data, int offset, ushort keyId, int length, Func<ushort, byte[]?> keyLookup, out string error)
    {
        error = "";
        if (!LispAuthentication.IsKnown(keyId) || keyId == LispAuthentication.None)
        {
            error = $"{messageName}: key id {keyId} names no known HMAC algorithm";
            return false;
        }

        if (!LispAuthentication.IsAcceptedLength(keyId, length))
        {
            error = $"{messageName}: authentication data length {length} fits neither form of key id {keyId} ({DescribeLengths(keyId)})";
            return false;
        }

        byte[]? key = keyLookup(keyId);
        if (key is null)
        {
            error = $"{messageName}: no key for key id {keyId}";
            return false;
        }

        if (!LispAuthentication.Verify(data, offset, length, keyId, key))
        {
            error = $"{messageName}: authentication data does not match (wrong key or altered message)";
            return false;
        }

        return true;
    }

    /// <summary>The HMAC check of a parsed message: <paramref name="message"/> is <paramref name="parsed"/> when it verifies, null otherwise.</summary>
    internal static bool Verified<T>(T parsed, ushort keyId, int length, string messageName, ReadOnlySpan<byte> data, int authenticationOffset,
        Func<ushort, byte[]?> keyLookup, out T? message, out string error)
        where T : class
    {
        bool ok = VerifyParsed(messageName, data, authenticationOffset, keyId, length, keyLookup, out error);
        message = ok ? parsed : null;
        return ok;
    }
}
