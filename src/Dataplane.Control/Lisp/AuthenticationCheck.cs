using Dataplane.Wire.LispControl;

namespace Dataplane.Control.Lisp;

/// <summary>
/// The one check every authenticated message we accept goes through (Map-Register at the map-server, Map-Notify at
/// the ETR, Change-Priority at the xTR), in one order so each refusal lands under the same reason everywhere: the key
/// id must be the one configured for the peer, the authentication data one of the algorithm's two lengths (the whole
/// digest, or RFC 9301's truncated form: see <see cref="LispAuthentication"/>), and the HMAC, truncated to the
/// received length, must match.
/// </summary>
internal static class AuthenticationCheck
{
    /// <summary>Null when the message is authentic; otherwise the reason to count it under.</summary>
    public static LispControlEvent? Refusal(ReadOnlySpan<byte> message, int authenticationOffset, ushort keyId, int authenticationLength,
        ushort expectedKeyId, byte[] key)
    {
        if (keyId != expectedKeyId)
        {
            return LispControlEvent.UnknownKeyId;
        }

        if (!LispAuthentication.IsAcceptedLength(keyId, authenticationLength))
        {
            return LispControlEvent.BadAuthenticationLength;
        }

        return LispAuthentication.Verify(message, authenticationOffset, authenticationLength, keyId, key) ? null : LispControlEvent.BadHmac;
    }
}
