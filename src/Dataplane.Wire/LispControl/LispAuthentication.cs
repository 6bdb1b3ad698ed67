using System.Security.Cryptography;

namespace Dataplane.Wire.LispControl;

/// <summary>
/// The message authentication of Map-Register, Map-Notify and Change-Priority (RFC 9301 sections 5.6 and 5.7):
/// an HMAC over the whole message with the Authentication Data field zeroed, truncated to the field's length.
/// The 16-bit field this class calls the key id is RFC 6833's Key ID and, read as two octets, RFC 9301's
/// Key ID (high octet, which pre-shared key) and Algorithm ID (low octet): the algorithm is the low octet, so
/// 1 and 2 mean the same in both RFCs.
/// <para>
/// Two lengths per algorithm are in use. RFC 9301 names HMAC-SHA-1-96 (12 bytes) and HMAC-SHA-256-128 (16 bytes);
/// deployed stacks (Open Overlay Router, and the implementations it was built to talk to) send the whole digest,
/// 20 and 32 bytes, and some read exactly 20 bytes whatever the length field says. So the full digest is what we
/// send by default (the truncated form on request, per map-server or site), and either length verifies: the HMAC
/// truncated to the received length must match. A length that is neither form is refused.
/// </para>
/// </summary>
public static class LispAuthentication
{
    public const ushort None = 0;
    public const ushort HmacSha1_96 = 1;
    public const ushort HmacSha256_128 = 2;

    /// <summary>
    /// Bytes of Authentication Data we write for a key id: the whole digest (20 for SHA-1, 32 for SHA-256), or with
    /// <paramref name="truncated"/> RFC 9301's truncated form (12, 16); 0 for none, -1 if the algorithm is unknown.
    /// </summary>
    public static int AuthenticationLength(ushort keyId, bool truncated = false) => (byte)keyId switch
    {
        (byte)None => 0,
        (byte)HmacSha1_96 => truncated ? 12 : 20,
        (byte)HmacSha256_128 => truncated ? 16 : 32,
        _ => -1,
    };

    public static bool IsKnown(ushort keyId) => AuthenticationLength(keyId) >= 0;

    /// <summary>Whether <paramref name="length"/> is one of the two forms of the key id's algorithm (0 for none).</summary>
    public static bool IsAcceptedLength(ushort keyId, int length) =>
        IsKnown(keyId) && (length == AuthenticationLength(keyId) || length == AuthenticationLength(keyId, truncated: true));

    /// <summary>
    /// Zeroes the <paramref name="length"/>-byte authentication field, computes the HMAC over the message and writes
    /// it there, truncated to the field.
    /// </summary>
    public static void Sign(Span<byte> message, int authDataOffset, int length, ushort keyId, ReadOnlySpan<byte> key)
    {
        if (keyId == None || !IsAcceptedLength(keyId, length))
        {
            throw new ArgumentException($"key id {keyId} cannot sign a {length}-byte authentication field", nameof(length));
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
    /// True when the <paramref name="length"/>-byte authentication field holds the HMAC of the message with that field
    /// zeroed, truncated to the field. False (never an exception) for an unknown key id, key id 0 (no
    /// authentication), a length that is neither form of the algorithm, or a field outside the message.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> message, int authDataOffset, int length, ushort keyId, ReadOnlySpan<byte> key)
    {
        if (keyId == None || !IsAcceptedLength(keyId, length) || authDataOffset < 0 || authDataOffset + length > message.Length)
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
