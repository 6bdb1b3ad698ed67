using System.Security.Cryptography;

namespace Dataplane.Wire.LispControl;

/// <summary>
/// The message authentication of Map-Register, Map-Notify and Change-Priority (RFC 9301 sections 5.6 and 5.7):
/// an HMAC over the whole message with the Authentication Data field zeroed, truncated to the field's length.
/// The 16-bit field this class calls the key id is RFC 6833's Key ID and, read as two octets, RFC 9301's
/// Key ID (high octet, which pre-shared key) and Algorithm ID (low octet): the algorithm is the low octet, so
/// 1 and 2 mean the same in both RFCs.
/// </summary>
public static class LispAuthentication
{
    public const ushort None = 0;
    public const ushort HmacSha1_96 = 1;
    public const ushort HmacSha256_128 = 2;

    /// <summary>Bytes of Authentication Data for a key id: 0 for none, 12 (SHA-1-96), 16 (SHA-256-128), -1 if unknown.</summary>
    public static int AuthenticationLength(ushort keyId) => (byte)keyId switch
    {
        (byte)None => 0,
        (byte)HmacSha1_96 => 12,
        (byte)HmacSha256_128 => 16,
        _ => -1,
    };

    public static bool IsKnown(ushort keyId) => AuthenticationLength(keyId) >= 0;

    /// <summary>Zeroes the authentication field, computes the HMAC over the message and writes it there.</summary>
    public static void Sign(Span<byte> message, int authDataOffset, ushort keyId, ReadOnlySpan<byte> key)
    {
        int length = AuthenticationLength(keyId);
        if (length <= 0)
        {
            throw new ArgumentException($"key id {keyId} names no known HMAC algorithm", nameof(keyId));
        }

        if (authDataOffset < 0 || authDataOffset + length > message.Length)
        {
            throw new ArgumentException($"the {length}-byte authentication field at {authDataOffset} lies outside the {message.Length}-byte message", nameof(authDataOffset));
        }

        var field = message.Slice(authDataOffset, length);
        field.Clear();
        Span<byte> mac = stackalloc byte[32];
        Compute(message, keyId, key, mac);
        mac[..length].CopyTo(field);
    }

    /// <summary>
    /// True when the authentication field holds the truncated HMAC of the message with that field zeroed.
    /// False (never an exception) for an unknown key id, key id 0 (no authentication), or a field outside the message.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> message, int authDataOffset, ushort keyId, ReadOnlySpan<byte> key)
    {
        int length = AuthenticationLength(keyId);
        if (length <= 0 || authDataOffset < 0 || authDataOffset + length > message.Length)
        {
            return false;
        }

        byte[] copy = message.ToArray();
        copy.AsSpan(authDataOffset, length).Clear();
        Span<byte> mac = stackalloc byte[32];
        Compute(copy, keyId, key, mac);
        return CryptographicOperations.FixedTimeEquals(mac[..length], message.Slice(authDataOffset, length));
    }

    private static void Compute(ReadOnlySpan<byte> message, ushort keyId, ReadOnlySpan<byte> key, Span<byte> mac)
    {
        if ((byte)keyId == HmacSha1_96)
        {
            HMACSHA1.HashData(key, message, mac);
        }
        else
        {
            HMACSHA256.HashData(key, message, mac);
        }
    }
}
